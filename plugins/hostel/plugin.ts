import { hostelSettingsDeclaration } from './settings.js'
import { seedHostelDemo } from './demo.js'
import { blocks, hostels, rooms } from './resources/hostels.js'
import { allocationRequests, allocations, transfers } from './resources/allocations.js'
import { termCharges } from './resources/billing.js'
import { leavePasses } from './resources/leave_passes.js'
import { roomHooks } from './services/rooms.js'
import { allocationRequestHooks } from './services/requests.js'
import { leavePassHooks } from './services/leave_passes.js'
import { hostelRoutes } from './routes.js'
import { hostelCalendar } from './services/calendar.js'
import { hostelPrivacy } from './services/privacy.js'
import {
  crudPermissions,
  definePlugin,
  type ResourceDefinition,
  type ResourceHooks,
} from '@oryne/sdk'

const HOOKS: Record<string, ResourceHooks> = {
  rooms: roomHooks,
  allocation_requests: allocationRequestHooks,
  leave_passes: leavePassHooks,
}

// In dependency order: the generated migration creates the tables in this order.
const RESOURCES: ResourceDefinition[] = [
  hostels,
  blocks,
  rooms,
  allocations,
  allocationRequests,
  transfers,
  termCharges,
  leavePasses,
].map((resource) =>
  HOOKS[resource.name] ? { ...resource, hooks: HOOKS[resource.name] } : resource
)

const read = (...names: string[]) => names.map((name) => `hostel.${name}.read`)

/** What a resident (Student, or a Parent for a child) reads and asks for. */
const RESIDENT = [
  ...read(
    'hostels',
    'blocks',
    'rooms',
    'allocation_requests',
    'allocations',
    'transfers',
    'term_charges',
    'leave_passes'
  ),
  'hostel.allocation_requests.create',
  'hostel.leave_passes.create',
]

/**
 * Hostels: hostels, blocks and rooms, allocation requests and allocations
 * (never over a room's capacity), transfers with history, term rent billed
 * into ERP invoices, the leave pass register and the occupancy report. Staff
 * is the hostel office; Students and Parents see only their own (or their
 * children's) rooms and records (resources/rules.ts).
 */
export default definePlugin({
  name: 'hostel',
  version: '1.0.0',
  host: '^0.1.0',
  description: 'Hostels, rooms, allocations and transfers, hostel fees, leave passes',
  dependencies: { erp: '^1.0.0' },
  permissions: [
    ...crudPermissions('hostel', RESOURCES),
    'hostel.allocations.manage',
    'hostel.leave_passes.decide',
    'hostel.fees.generate',
    'hostel.reports.read',
  ],
  grants: {
    TenantAdmin: ['hostel.*'],
    // The hostel office (wardens included) runs the hostels, their billing and their register.
    Staff: ['hostel.*'],
    // Teachers may live in staff quarters: they ask for a bed and see their own stay.
    Teacher: [
      ...read('hostels', 'blocks', 'rooms', 'allocation_requests', 'allocations', 'transfers'),
      'hostel.allocation_requests.create',
    ],
    Student: RESIDENT,
    Parent: RESIDENT,
  },
  settings: hostelSettingsDeclaration,
  resources: RESOURCES,
  routes: hostelRoutes,
  demo: seedHostelDemo,
  calendar: hostelCalendar,
  privacy: hostelPrivacy,
  // The web app (ui/index.tsx): the hostel office's board of rooms and beds.
  ui: {
    nav: [
      {
        id: 'board',
        label: 'hostel.nav.board',
        path: '/hostel/board',
        permissions: ['hostel.allocations.manage'],
        section: 'daily',
      },
    ],
  },
})
