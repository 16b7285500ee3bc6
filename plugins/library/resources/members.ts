import { borrowerRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const MEMBER_KINDS = ['student', 'staff'] as const

/**
 * Library members: every ERP student and every staff account can borrow. The
 * member row is made on first use (issue, reservation) or in bulk by
 * POST /api/v1/library/members/sync; it carries the card number and status.
 */
export const members = defineResource({
  name: 'members',
  description:
    'A borrower: an ERP student (student_id) or a staff account (user_id). Created by the library, never through POST.',
  permissions: { create: false, delete: false },
  fields: {
    kind: field.enum(MEMBER_KINDS, { required: true, readOnly: true }),
    student_id: field.reference('erp.students', {
      unique: true,
      as: 'student',
      readOnly: true,
      onDelete: 'cascade',
    }),
    user_id: field.reference('core.users', {
      unique: true,
      as: 'user',
      readOnly: true,
      onDelete: 'cascade',
    }),
    card_no: field.string({ unique: true, max: 40, pattern: /^[A-Za-z0-9._-]+$/ }),
    status: field.enum(['active', 'suspended'], { default: 'active' }),
    note: field.text({ max: 2000 }),
  },
  rowRules: borrowerRecords(),
  defaultSort: 'card_no',
})

/**
 * Loan terms per role or class. A student's card is the rule of their ERP
 * class, else the rule of role Student; a staff member's the rule of one of
 * their roles; else the library settings.
 */
export const cardRules = defineResource({
  name: 'card_rules',
  description:
    'Loan terms for a role (Student, Teacher, Staff, ...) or an ERP class; a class rule wins over a role rule.',
  fields: {
    name: field.string({ required: true, max: 120 }),
    role: field.string({ max: 60, pattern: /^[A-Za-z][A-Za-z0-9 _-]*$/ }),
    class_id: field.reference('erp.classes', { as: 'class', onDelete: 'cascade' }),
    max_loans: field.integer({ required: true, min: 0, max: 100 }),
    loan_days: field.integer({ required: true, min: 1, max: 365 }),
    renewals_allowed: field.integer({ required: true, min: 0, max: 20 }),
    fine_per_day: field.integer({ required: true, min: 0, max: 1_000_000 }),
    fine_cap: field.integer({
      required: true,
      min: 0,
      max: 100_000_000,
      description: 'Most an overdue fine reaches (minor units); 0 means no cap.',
    }),
  },
  defaultSort: 'name',
})
