import { events, registrations } from './resources/events.js'
import { eventHooks } from './services/event_hooks.js'
import { eventHolidays, eventsCalendar } from './services/calendar.js'
import { eventsRoutes } from './routes.js'
import { eventsNotifications, notifyPromoted, notifyReminder } from './notifications.js'
import { eventRemindersJob, REMINDER_CRON } from './jobs/reminders.js'
import { eventsSettingsDeclaration } from './settings.js'
import { seedEventsDemo } from './demo.js'
import { eventsPrivacy } from './privacy.js'
import { definePlugin } from '@oryne/sdk'

const RESOURCES = [{ ...events, hooks: eventHooks }, registrations]

/**
 * Events: school events for an audience (everyone, classes, sections, roles)
 * with places, a waitlist, fees billed through ERP invoices and QR check-in;
 * holidays that ERP attendance and timetable honour (through core); and each
 * user's iCalendar feed, merging the calendar entries of every enabled plugin.
 */
export default definePlugin({
  name: 'events',
  version: '1.0.0',
  host: '^0.1.0',
  description: 'Events with registration, waitlist and check-in; holidays; iCalendar feeds',
  dependencies: { erp: '^1.0.0' },
  permissions: [
    'events.events.read',
    'events.events.create',
    'events.events.update',
    'events.events.delete',
    'events.registrations.read',
    'events.registrations.register',
    'events.registrations.manage',
    'events.registrations.check_in',
    'events.reports.read',
    'events.calendar.subscribe',
  ],
  grants: {
    TenantAdmin: ['events.*'],
    // The office organises events, manages registrations and runs the door.
    Staff: [
      'events.events.read',
      'events.events.create',
      'events.events.update',
      'events.registrations.read',
      'events.registrations.register',
      'events.registrations.manage',
      'events.registrations.check_in',
      'events.reports.read',
      'events.calendar.subscribe',
    ],
    Teacher: [
      'events.events.read',
      'events.registrations.read',
      'events.registrations.register',
      'events.registrations.check_in',
      'events.reports.read',
      'events.calendar.subscribe',
    ],
    Student: [
      'events.events.read',
      'events.registrations.read',
      'events.registrations.register',
      'events.calendar.subscribe',
    ],
    Parent: [
      'events.events.read',
      'events.registrations.read',
      'events.registrations.register',
      'events.calendar.subscribe',
    ],
  },
  settings: eventsSettingsDeclaration,
  resources: RESOURCES,
  routes: eventsRoutes,
  notifications: eventsNotifications,
  schedules: [{ job: eventRemindersJob, cron: REMINDER_CRON }],
  events: {
    'events.reminder': notifyReminder,
    'events.registration.promoted': notifyPromoted,
  },
  calendar: eventsCalendar,
  holidays: eventHolidays,
  demo: seedEventsDemo,
  privacy: eventsPrivacy,
  // The web app (ui/index.tsx): upcoming events to register for, with places and the waitlist.
  ui: {
    nav: [
      {
        id: 'register',
        label: 'events.nav.register',
        path: '/events/register',
        permissions: ['events.registrations.register'],
        section: 'daily',
      },
    ],
  },
})
