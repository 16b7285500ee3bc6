import { studentOwned } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

/*
 * Fees. Every amount is an integer in minor units of the tenant's currency
 * (cents, paise, ...); dates are calendar dates in the tenant's time zone.
 */
const money = (options: { required?: boolean; readOnly?: boolean } = {}) =>
  field.integer({ min: 0, max: 2_000_000_000, ...options })

export const feeCategories = defineResource({
  name: 'fee_categories',
  fields: {
    name: field.string({ required: true, unique: true, max: 80 }),
    description: field.text(),
  },
  defaultSort: 'name',
})

export const feeStructures = defineResource({
  name: 'fee_structures',
  description: 'What a class pays in a term: its components.',
  fields: {
    name: field.string({ required: true, max: 120 }),
    class_id: field.reference('classes', { required: true, as: 'class' }),
    term_id: field.reference('terms', { required: true, as: 'term' }),
  },
})

export const feeComponents = defineResource({
  name: 'fee_components',
  fields: {
    structure_id: field.reference('fee_structures', {
      required: true,
      as: 'structure',
      onDelete: 'cascade',
    }),
    category_id: field.reference('fee_categories', { required: true, as: 'category' }),
    amount: money({ required: true }),
  },
})

export const feeDiscounts = defineResource({
  name: 'fee_discounts',
  description:
    'A standing discount of one student: a percentage, optionally limited to one category.',
  fields: {
    student_id: field.reference('students', { required: true, as: 'student', onDelete: 'cascade' }),
    category_id: field.reference('fee_categories', { as: 'category' }),
    percent: field.integer({ required: true, min: 1, max: 100 }),
    reason: field.string({ max: 200 }),
  },
  rowRules: studentOwned(),
})

export const feeSchedules = defineResource({
  name: 'fee_schedules',
  description: 'Bills a structure to every active student of its class: one invoice each.',
  fields: {
    structure_id: field.reference('fee_structures', { required: true, as: 'structure' }),
    name: field.string({ required: true, max: 120 }),
    issued_on: field.date({ required: true }),
    due_on: field.date({ required: true }),
    late_fine_per_day: money({}),
    late_fine_cap: money({}),
    status: field.enum(['draft', 'generated'], { default: 'draft', readOnly: true }),
    invoices_generated: field.integer({ default: 0, readOnly: true }),
  },
})

export const invoices = defineResource({
  name: 'invoices',
  description:
    'Created by fee schedules and by other plugins through the fees service; read-only over the API.',
  permissions: { create: false, delete: false },
  fields: {
    number: field.string({ required: true, unique: true, max: 40, readOnly: true }),
    student_id: field.reference('students', { required: true, as: 'student', readOnly: true }),
    schedule_id: field.reference('fee_schedules', { as: 'schedule', readOnly: true }),
    source: field.string({ max: 60, readOnly: true }),
    issued_on: field.date({ required: true, readOnly: true }),
    due_on: field.date({ required: true, readOnly: true }),
    amount: money({ required: true, readOnly: true }),
    discount: money({ readOnly: true }),
    fine: money({ readOnly: true }),
    paid: money({ readOnly: true }),
    refunded: money({ readOnly: true }),
    late_fine_per_day: money({ readOnly: true }),
    late_fine_cap: money({ readOnly: true }),
    status: field.enum(['open', 'partially_paid', 'paid', 'cancelled'], {
      default: 'open',
      readOnly: true,
    }),
    note: field.text(),
  },
  rowRules: studentOwned(),
  defaultSort: '-issued_on',
})

export const invoiceLines = defineResource({
  name: 'invoice_lines',
  permissions: { create: false, update: false, delete: false },
  fields: {
    invoice_id: field.reference('invoices', { required: true, as: 'invoice', onDelete: 'cascade' }),
    student_id: field.reference('students', { required: true, as: 'student' }),
    category_id: field.reference('fee_categories', { as: 'category' }),
    description: field.string({ required: true, max: 200 }),
    // Negative on a credit line: a charge taken back (services/credits.ts).
    amount: field.integer({ required: true, min: -2_000_000_000, max: 2_000_000_000 }),
    discount: money({}),
  },
  rowRules: studentOwned(),
})

export const payments = defineResource({
  name: 'payments',
  description:
    'A payment against an invoice (partial or full); receipt numbers are sequential per tenant without gaps.',
  permissions: { update: false, delete: false },
  fields: {
    invoice_id: field.reference('invoices', { required: true, as: 'invoice' }),
    student_id: field.reference('students', { as: 'student', readOnly: true }),
    amount: field.integer({ required: true, min: 1, max: 2_000_000_000 }),
    method: field.enum(['cash', 'bank_transfer', 'card', 'online', 'cheque', 'other'], {
      required: true,
    }),
    reference: field.string({ max: 120 }),
    receipt_no: field.string({ unique: true, max: 40, readOnly: true }),
    paid_on: field.date(),
    refunded: money({ readOnly: true }),
  },
  rowRules: studentOwned(),
  defaultSort: '-created_at',
})

export const refunds = defineResource({
  name: 'refunds',
  permissions: { update: false, delete: false },
  fields: {
    payment_id: field.reference('payments', { required: true, as: 'payment' }),
    amount: field.integer({ required: true, min: 1, max: 2_000_000_000 }),
    reason: field.string({ required: true, max: 300 }),
  },
  defaultSort: '-created_at',
})
