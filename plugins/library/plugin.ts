import { librarySettingsDeclaration } from './settings.js'
import { seedLibraryDemo } from './demo.js'
import { libraryCalendar } from './calendar.js'
import { libraryPrivacy } from './privacy.js'
import { copies, titles } from './resources/catalogue.js'
import { cardRules, members } from './resources/members.js'
import { fines, loans, reservations } from './resources/circulation.js'
import { cardRuleHooks } from './services/card_rules.js'
import { libraryRoutes } from './routes.js'
import { loanRemindersJob, REMINDERS_CRON } from './jobs/reminders.js'
import {
  libraryNotifications,
  notifyLoanDueSoon,
  notifyLoanOverdue,
  notifyReservationReady,
} from './notifications.js'
import { crudPermissions, definePlugin, type ResourceDefinition } from '@oryne/sdk'

const RESOURCES: ResourceDefinition[] = [
  titles,
  copies,
  members,
  { ...cardRules, hooks: cardRuleHooks },
  loans,
  reservations,
  fines,
]

const read = (...names: string[]) => names.map((name) => `library.${name}.read`)
/** What a borrower reads: the catalogue, and their own (or their children's) records through row rules. */
const BORROWER = [...read('titles', 'copies', 'members', 'loans', 'reservations', 'fines')]

/**
 * Library: the catalogue (titles, copies by barcode), members (every ERP
 * student and staff account) with card rules, circulation at the desk, a
 * reservation queue per title, and fines billed on ERP invoices. Staff is the
 * librarian's role; Students and Parents see their own (their children's)
 * loans, reservations and fines (resources/rules.ts).
 */
export default definePlugin({
  name: 'library',
  version: '1.0.0',
  host: '^0.1.0',
  description: 'Catalogue, members and card rules, circulation by barcode, reservations, fines',
  dependencies: { erp: '^1.0.0' },
  permissions: [
    ...crudPermissions('library', RESOURCES),
    'library.circulation.issue',
    'library.circulation.renew',
    'library.circulation.return',
    'library.reservations.place',
    'library.fines.waive',
    'library.fines.settle',
    'library.titles.import',
    'library.members.sync',
    'library.reports.read',
  ],
  grants: {
    TenantAdmin: ['library.*'],
    // The librarian: everything but the card rules, which are the institution's policy.
    Staff: [
      ...crudPermissions(
        'library',
        RESOURCES.filter((r) => r.name !== 'card_rules')
      ),
      'library.card_rules.read',
      'library.circulation.issue',
      'library.circulation.renew',
      'library.circulation.return',
      'library.fines.waive',
      'library.fines.settle',
      'library.titles.import',
      'library.members.sync',
      'library.reports.read',
      'library.reservations.place',
    ],
    // Teachers and Students renew their own loans (services/circulation.ts, renewLoan).
    Teacher: [...BORROWER, 'library.reservations.place', 'library.circulation.renew'],
    Student: [...BORROWER, 'library.reservations.place', 'library.circulation.renew'],
    Parent: [...BORROWER, 'library.reservations.place'],
  },
  settings: librarySettingsDeclaration,
  resources: RESOURCES,
  routes: libraryRoutes,
  notifications: libraryNotifications,
  schedules: [{ job: loanRemindersJob, cron: REMINDERS_CRON }],
  events: {
    'library.loan.due_soon': notifyLoanDueSoon,
    'library.loan.overdue': notifyLoanOverdue,
    'library.reservation.ready': notifyReservationReady,
  },
  calendar: libraryCalendar,
  privacy: libraryPrivacy,
  demo: seedLibraryDemo,
  // The web app (ui/index.tsx): a borrower's loans with renewal, the librarian's scanner desk.
  ui: {
    nav: [
      {
        id: 'loans',
        label: 'library.nav.loans',
        path: '/library/loans',
        permissions: ['library.circulation.renew'],
        roles: ['Student', 'Teacher'],
        section: 'daily',
      },
      {
        id: 'desk',
        label: 'library.nav.desk',
        path: '/library/desk',
        permissions: ['library.circulation.issue'],
        section: 'daily',
      },
    ],
    widgets: [
      {
        id: 'loans',
        title: 'library.widget.loans',
        permissions: ['library.loans.read'],
        roles: ['Student', 'Teacher'],
      },
    ],
  },
})
