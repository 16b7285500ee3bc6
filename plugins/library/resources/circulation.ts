import { borrowerRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const LOAN_STATUSES = ['open', 'returned', 'lost'] as const
export const RESERVATION_STATUSES = [
  'waiting',
  'ready',
  'fulfilled',
  'cancelled',
  'expired',
] as const
export const FINE_KINDS = ['overdue', 'lost', 'damaged'] as const
export const FINE_STATUSES = ['invoiced', 'owed', 'waived', 'paid'] as const

/* Loans, reservations and fines change only through the circulation routes: read-only over CRUD. */
const READ_ONLY = { create: false, update: false, delete: false } as const

const borrower = {
  member_id: field.reference('members', { required: true, as: 'member', readOnly: true }),
  student_id: field.reference('erp.students', { as: 'student', readOnly: true }),
  user_id: field.reference('core.users', {
    as: 'user',
    readOnly: true,
    onDelete: 'set null',
    description: 'The staff account of a staff member (null for students).',
  }),
}

export const loans = defineResource({
  name: 'loans',
  description: 'A copy lent to a member; at most one open loan per copy (enforced by PostgreSQL).',
  permissions: READ_ONLY,
  fields: {
    copy_id: field.reference('copies', { required: true, as: 'copy', readOnly: true }),
    title_id: field.reference('titles', { required: true, as: 'title', readOnly: true }),
    ...borrower,
    issued_at: field.datetime({ required: true, readOnly: true }),
    due_on: field.date({ required: true, readOnly: true, index: true }),
    returned_at: field.datetime({ readOnly: true }),
    renewals: field.integer({ default: 0, readOnly: true }),
    renewals_allowed: field.integer({ default: 0, readOnly: true }),
    fine_per_day: field.integer({ default: 0, readOnly: true }),
    fine_cap: field.integer({ default: 0, readOnly: true }),
    status: field.enum(LOAN_STATUSES, { default: 'open', readOnly: true }),
    issued_by: field.reference('core.users', {
      as: 'issuer',
      readOnly: true,
      onDelete: 'set null',
    }),
    due_soon_notified_on: field.date({ readOnly: true }),
    overdue_notified_on: field.date({ readOnly: true }),
  },
  rowRules: borrowerRecords(),
  defaultSort: '-issued_at',
})

export const reservations = defineResource({
  name: 'reservations',
  description:
    'A place in the queue of a title: first come, first served; a returned copy is held for the first waiting member.',
  permissions: READ_ONLY,
  fields: {
    title_id: field.reference('titles', { required: true, as: 'title', readOnly: true }),
    ...borrower,
    status: field.enum(RESERVATION_STATUSES, { default: 'waiting', readOnly: true }),
    copy_id: field.reference('copies', {
      as: 'copy',
      readOnly: true,
      onDelete: 'set null',
      description: 'The copy held on the hold shelf while ready.',
    }),
    ready_at: field.datetime({ readOnly: true }),
    hold_until: field.date({ readOnly: true }),
    closed_at: field.datetime({ readOnly: true }),
  },
  rowRules: borrowerRecords(),
  defaultSort: 'created_at',
})

export const fines = defineResource({
  name: 'fines',
  description:
    "A charge of a loan: overdue days, or a lost or damaged copy. A student's fine is billed on an ERP invoice; a staff member's is owed to the library.",
  permissions: READ_ONLY,
  fields: {
    loan_id: field.reference('loans', { required: true, as: 'loan', readOnly: true }),
    ...borrower,
    kind: field.enum(FINE_KINDS, { required: true, readOnly: true }),
    amount: field.integer({ required: true, min: 0, readOnly: true }),
    days_overdue: field.integer({ default: 0, readOnly: true }),
    status: field.enum(FINE_STATUSES, { required: true, readOnly: true }),
    invoice_id: field.reference('erp.invoices', {
      as: 'invoice',
      readOnly: true,
      onDelete: 'set null',
    }),
    waived_by: field.reference('core.users', {
      as: 'waiver',
      readOnly: true,
      onDelete: 'set null',
    }),
    waive_reason: field.text({ readOnly: true }),
    closed_at: field.datetime({ readOnly: true }),
  },
  rowRules: borrowerRecords(),
  defaultSort: '-created_at',
})
