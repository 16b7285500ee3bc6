import { residentRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const LEAVE_STATUSES = ['pending', 'approved', 'rejected', 'returned'] as const

/** The out-pass register: a resident student leaves with approval and is marked back. */
export const leavePasses = defineResource({
  name: 'leave_passes',
  permissions: { update: false, delete: false },
  fields: {
    student_id: field.reference('erp.students', {
      required: true,
      as: 'student',
      onDelete: 'cascade',
      personal: 'subject',
    }),
    hostel_id: field.reference('hostels', { as: 'hostel', readOnly: true }),
    // Kept in the register of who was out when; what and why leave with an erasure.
    destination: field.string({ required: true, max: 200, personal: true }),
    reason: field.text({ max: 2000, personal: true }),
    leaves_at: field.datetime({ required: true }),
    returns_by: field.datetime({ required: true }),
    status: field.enum(LEAVE_STATUSES, { default: 'pending', readOnly: true, index: true }),
    decided_by: field.reference('core.users', {
      as: 'decider',
      readOnly: true,
      onDelete: 'set null',
    }),
    decided_at: field.datetime({ readOnly: true }),
    returned_at: field.datetime({ readOnly: true }),
    late: field.boolean({ readOnly: true }),
  },
  rowRules: {
    Student: residentRecords().Student,
    Parent: residentRecords().Parent,
  },
  defaultSort: '-leaves_at',
})
