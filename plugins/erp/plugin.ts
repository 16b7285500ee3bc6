import {
  academicYears,
  classes,
  periods,
  rooms,
  sections,
  subjects,
  terms,
} from './resources/structure.js'
import { guardians, students, teachers } from './resources/people.js'
import { admissionCampaigns, applicants } from './resources/admissions.js'
import {
  feeCategories,
  feeComponents,
  feeDiscounts,
  feeSchedules,
  feeStructures,
  invoiceLines,
  invoices,
  payments,
  refunds,
} from './resources/fees.js'
import { attendanceMarks, leaveApplications } from './resources/attendance.js'
import { substitutions, timetableSlots } from './resources/timetable.js'
import { paymentHooks, refundHooks } from './services/fees.js'
import { slotHooks, substitutionHooks } from './services/timetable.js'
import { attendanceMarkHooks, leaveHooks } from './services/attendance.js'
import { erpCalendar } from './calendar.js'
import { erpRoutes } from './routes.js'
import { erpAppRoutes } from './app_routes.js'
import { erpPaymentRoutes } from './payment_routes.js'
import { erpDocuments } from './documents.js'
import { erpStats } from './stats.js'
import { seedErpDemo } from './demo.js'
import { erpSettingsDeclaration } from './settings.js'
import { feeRemindersJob, FEE_REMINDERS_CRON } from './jobs/fee_reminders.js'
import {
  erpNotifications,
  notifyExpiredOnlinePayment,
  notifyGuardiansOfAttendance,
  notifyOnlinePayment,
  notifyUnmatchedOnlinePayment,
} from './notifications.js'
import { crudPermissions, definePlugin } from '@oryne/sdk'

const RESOURCES = [
  academicYears,
  terms,
  classes,
  teachers,
  sections,
  subjects,
  rooms,
  periods,
  students,
  guardians,
  admissionCampaigns,
  applicants,
  feeCategories,
  feeStructures,
  feeComponents,
  feeDiscounts,
  feeSchedules,
  invoices,
  invoiceLines,
  payments,
  refunds,
  attendanceMarks,
  leaveApplications,
  timetableSlots,
  substitutions,
].map((resource) => {
  const hooks = {
    payments: paymentHooks,
    refunds: refundHooks,
    timetable_slots: slotHooks,
    substitutions: substitutionHooks,
    leave_applications: leaveHooks,
    attendance_marks: attendanceMarkHooks,
  }[resource.name]
  return hooks ? { ...resource, hooks } : resource
})

const read = (...resources: string[]) => resources.map((resource) => `erp.${resource}.read`)

/**
 * ERP: the institution's people and structure, admissions, fees, attendance
 * and timetable. Other plugins bill through its fees service
 * (`createInvoice`, exported from plugins/erp/services/fees.ts).
 */
export default definePlugin({
  name: 'erp',
  version: '1.0.0',
  host: '^0.1.0',
  description: 'Students, guardians, teachers, admissions, fees, attendance and timetable',
  permissions: [
    // Every CRUD verb, also where the CRUD route is off: the workflow routes check them.
    ...crudPermissions('erp', RESOURCES, { all: true }),
    'erp.students.sensitive',
    'erp.students.health',
    'erp.students.import',
    'erp.teachers.sensitive',
    'erp.applicants.review',
    'erp.applicants.enrol',
    'erp.fee_schedules.generate',
    'erp.invoices.credit',
    'erp.reports.read',
    'erp.leave_applications.decide',
  ],
  grants: {
    TenantAdmin: ['erp.*'],
    Staff: [
      'erp.students.*',
      'erp.guardians.*',
      'erp.teachers.read',
      'erp.admission_campaigns.*',
      'erp.applicants.*',
      'erp.fee_categories.*',
      'erp.fee_structures.*',
      'erp.fee_components.*',
      'erp.fee_discounts.*',
      'erp.fee_schedules.*',
      // Not erp.invoices.*: crediting an invoice (erp.invoices.credit) is for admins.
      'erp.invoices.read',
      'erp.invoices.update',
      'erp.invoice_lines.read',
      'erp.payments.*',
      'erp.refunds.*',
      'erp.reports.read',
      'erp.leave_applications.*',
      'erp.attendance_marks.read',
      ...read(
        'academic_years',
        'terms',
        'classes',
        'sections',
        'subjects',
        'rooms',
        'periods',
        'timetable_slots',
        'substitutions'
      ),
    ],
    Teacher: [
      'erp.students.read',
      'erp.guardians.read',
      'erp.attendance_marks.read',
      'erp.attendance_marks.create',
      'erp.attendance_marks.update',
      'erp.leave_applications.read',
      'erp.leave_applications.decide',
      ...read(
        'academic_years',
        'terms',
        'classes',
        'sections',
        'subjects',
        'rooms',
        'periods',
        'teachers',
        'timetable_slots',
        'substitutions'
      ),
    ],
    Student: [
      ...read(
        'students',
        'guardians',
        'attendance_marks',
        'invoices',
        'invoice_lines',
        'payments',
        'leave_applications'
      ),
      ...read(
        'academic_years',
        'terms',
        'classes',
        'sections',
        'subjects',
        'periods',
        'timetable_slots'
      ),
    ],
    Parent: [
      ...read(
        'students',
        'guardians',
        'attendance_marks',
        'invoices',
        'invoice_lines',
        'payments',
        'leave_applications',
        'fee_discounts'
      ),
      'erp.leave_applications.create',
      ...read(
        'academic_years',
        'terms',
        'classes',
        'sections',
        'subjects',
        'periods',
        'timetable_slots'
      ),
    ],
  },
  settings: erpSettingsDeclaration,
  resources: RESOURCES,
  routes: (router) => {
    erpRoutes(router)
    erpAppRoutes(router)
    erpPaymentRoutes(router)
  },
  notifications: erpNotifications,
  events: {
    'erp.attendance.below_threshold': notifyGuardiansOfAttendance,
    'erp.invoice.paid_online': notifyOnlinePayment,
    'erp.invoice.online_payment_expired': notifyExpiredOnlinePayment,
    'erp.invoice.online_payment_unmatched': notifyUnmatchedOnlinePayment,
  },
  jobs: [feeRemindersJob],
  schedules: [{ job: feeRemindersJob, cron: FEE_REMINDERS_CRON }],
  demo: seedErpDemo,
  documents: erpDocuments,
  stats: erpStats,
  calendar: erpCalendar,
  // The ERP pages and widgets of the web app (ui/index.tsx, ui/messages.ts; docs/web.md).
  ui: {
    nav: [
      {
        id: 'timetable',
        label: 'erp.nav.timetable',
        path: '/erp/timetable',
        permissions: ['erp.timetable_slots.read'],
        roles: ['Teacher', 'Student'],
        order: 10,
      },
      {
        id: 'children',
        label: 'erp.nav.children',
        path: '/erp/children',
        permissions: ['erp.invoices.read'],
        roles: ['Parent'],
        order: 10,
      },
      {
        id: 'fees-desk',
        label: 'erp.nav.feesDesk',
        path: '/erp/fees-desk',
        permissions: ['erp.payments.create'],
        order: 30,
      },
      {
        id: 'admissions',
        label: 'erp.nav.admissions',
        path: '/erp/admissions',
        permissions: ['erp.applicants.review'],
        order: 31,
      },
    ],
    widgets: [
      {
        id: 'today',
        title: 'erp.widget.today',
        permissions: ['erp.attendance_marks.create'],
        roles: ['Teacher'],
        order: 10,
      },
      {
        id: 'fees-due',
        title: 'erp.widget.feesDue',
        permissions: ['erp.invoices.read'],
        roles: ['Parent'],
        order: 10,
      },
      {
        id: 'attendance-week',
        title: 'erp.widget.attendanceWeek',
        permissions: ['erp.attendance_marks.read'],
        roles: ['Parent'],
        order: 11,
      },
    ],
  },
})
