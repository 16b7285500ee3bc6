import { transportSettingsDeclaration } from './settings.js'
import { seedTransportDemo } from './demo.js'
import { routes, stops, vehicles } from './resources/network.js'
import { assignmentChanges, assignments, termCharges } from './resources/assignments.js'
import { tripMarks, trips } from './resources/trips.js'
import { tripHooks, vehicleHooks } from './services/network.js'
import { transportRoutes } from './routes.js'
import { transportCalendar } from './calendar.js'
import { transportPrivacy } from './privacy.js'
import { notifyAlighted, notifyBoarded, transportNotifications } from './notifications.js'
import { DOCUMENT_EXPIRY_CRON, documentExpiryJob } from './jobs/document_expiry.js'
import {
  crudPermissions,
  definePlugin,
  type ResourceDefinition,
  type ResourceHooks,
} from '@oryne/sdk'

const HOOKS: Record<string, ResourceHooks> = { vehicles: vehicleHooks, trips: tripHooks }

// In dependency order: the generated migration creates the tables in this order.
const RESOURCES: ResourceDefinition[] = [
  routes,
  stops,
  vehicles,
  assignments,
  assignmentChanges,
  termCharges,
  trips,
  tripMarks,
].map((resource) =>
  HOOKS[resource.name] ? { ...resource, hooks: HOOKS[resource.name] } : resource
)

const read = (...names: string[]) => names.map((name) => `transport.${name}.read`)

/** What a passenger (a Student, or a Parent for a child) reads. */
const PASSENGER = read(
  'routes',
  'stops',
  'vehicles',
  'assignments',
  'assignment_changes',
  'term_charges',
  'trip_marks'
)

/**
 * Transport: routes with ordered stops and fares, vehicles with their crew
 * and document expiry reminders, assignments of students and staff to a stop
 * and a vehicle (never over its seats) with their history, term fares billed
 * into ERP invoices, and trip logs whose boarding and alighting marks tell
 * the guardians. Staff is the transport office; Students and Parents see only
 * their own (or their children's) records (resources/rules.ts).
 */
export default definePlugin({
  name: 'transport',
  version: '1.0.0',
  host: '^0.1.0',
  description: 'Routes and stops, vehicles, assignments, transport fees, trip logs',
  dependencies: { erp: '^1.0.0' },
  permissions: [
    ...crudPermissions('transport', RESOURCES),
    'transport.assignments.manage',
    'transport.trips.mark',
    'transport.fees.generate',
  ],
  grants: {
    TenantAdmin: ['transport.*'],
    // The transport office: routes, fleet, assignments, billing and trip logs.
    Staff: ['transport.*'],
    // Teachers may ride too: they see the network and their own assignment.
    Teacher: read('routes', 'stops', 'vehicles', 'assignments', 'assignment_changes'),
    Student: PASSENGER,
    Parent: PASSENGER,
  },
  settings: transportSettingsDeclaration,
  resources: RESOURCES,
  routes: transportRoutes,
  notifications: transportNotifications,
  events: {
    'transport.student.boarded': notifyBoarded,
    'transport.student.alighted': notifyAlighted,
  },
  jobs: [documentExpiryJob],
  schedules: [{ job: documentExpiryJob, cron: DOCUMENT_EXPIRY_CRON }],
  calendar: transportCalendar,
  privacy: transportPrivacy,
  demo: seedTransportDemo,
  // The web app (ui/index.tsx): a parent's (or student's) route, stop and bus times.
  ui: {
    nav: [
      {
        id: 'pickups',
        label: 'transport.nav.pickups',
        path: '/transport/pickups',
        permissions: ['transport.assignments.read'],
        roles: ['Parent', 'Student'],
        section: 'daily',
      },
    ],
  },
})
