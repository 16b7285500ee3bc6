import { residentRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const
export const ALLOCATION_STATUSES = ['active', 'vacated', 'transferred'] as const

/** A resident is either an ERP student or a staff user, never both: whose record the row is. */
const resident = {
  student_id: field.reference('erp.students', {
    as: 'student',
    onDelete: 'cascade',
    personal: 'subject',
  }),
  user_id: field.reference('core.users', {
    as: 'user',
    onDelete: 'cascade',
    description: 'A staff resident (students are named by student_id).',
    personal: 'subject',
  }),
}

/** Requests for a bed, by students (or their parents) and staff; the hostel office decides. */
export const allocationRequests = defineResource({
  name: 'allocation_requests',
  fields: {
    ...resident,
    hostel_id: field.reference('hostels', { required: true, as: 'hostel', onDelete: 'cascade' }),
    term_id: field.reference('erp.terms', { as: 'term', onDelete: 'set null' }),
    note: field.text({ max: 2000, personal: true }),
    status: field.enum(REQUEST_STATUSES, { default: 'pending', readOnly: true }),
    decided_by: field.reference('core.users', {
      as: 'decider',
      readOnly: true,
      onDelete: 'set null',
    }),
    decided_at: field.datetime({ readOnly: true }),
    decision_note: field.text({ max: 2000, readOnly: true, personal: true }),
    allocation_id: field.reference('allocations', {
      as: 'allocation',
      readOnly: true,
      onDelete: 'set null',
    }),
  },
  permissions: { update: false, delete: false },
  rowRules: residentRecords(),
  defaultSort: '-created_at',
})

/** A resident in a room; made, vacated and transferred only through the workflow routes. */
export const allocations = defineResource({
  name: 'allocations',
  permissions: { create: false, update: false, delete: false },
  fields: {
    ...resident,
    hostel_id: field.reference('hostels', { required: true, as: 'hostel', readOnly: true }),
    room_id: field.reference('rooms', { required: true, as: 'room', readOnly: true }),
    starts_on: field.date({ required: true, readOnly: true }),
    ended_on: field.date({ readOnly: true }),
    status: field.enum(ALLOCATION_STATUSES, { default: 'active', readOnly: true, index: true }),
    previous_id: field.reference('allocations', {
      as: 'previous',
      readOnly: true,
      onDelete: 'set null',
      description: 'The allocation this one continues after a transfer.',
    }),
    allocated_by: field.reference('core.users', {
      as: 'allocator',
      readOnly: true,
      onDelete: 'set null',
    }),
  },
  rowRules: residentRecords(),
  defaultSort: '-created_at',
})

/** The history of room transfers. */
export const transfers = defineResource({
  name: 'transfers',
  permissions: { create: false, update: false, delete: false },
  fields: {
    ...resident,
    from_allocation_id: field.reference('allocations', { required: true, as: 'from_allocation' }),
    to_allocation_id: field.reference('allocations', { required: true, as: 'to_allocation' }),
    from_room_id: field.reference('rooms', { required: true, as: 'from_room' }),
    to_room_id: field.reference('rooms', { required: true, as: 'to_room' }),
    reason: field.text({ max: 2000, personal: true }),
    transferred_by: field.reference('core.users', { as: 'transferrer', onDelete: 'set null' }),
  },
  rowRules: residentRecords(),
  defaultSort: '-created_at',
})
