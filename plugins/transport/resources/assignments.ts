import { passengerRecords, studentRecords } from './rules.js'
import { money } from './network.js'
import { defineResource, field } from '@oryne/sdk'

/** A passenger is either an ERP student or a staff user, never both: whose record the row is. */
const passenger = {
  student_id: field.reference('erp.students', {
    as: 'student',
    onDelete: 'cascade',
    personal: 'subject',
  }),
  user_id: field.reference('core.users', {
    as: 'user',
    onDelete: 'cascade',
    description: 'A staff passenger (students are named by student_id).',
    personal: 'subject',
  }),
}

/** A passenger on a route, picked up at a stop by a vehicle; made and changed through the workflow routes. */
export const assignments = defineResource({
  name: 'assignments',
  permissions: { create: false, update: false, delete: false },
  fields: {
    ...passenger,
    route_id: field.reference('routes', { required: true, as: 'route', readOnly: true }),
    stop_id: field.reference('stops', { required: true, as: 'stop', readOnly: true }),
    vehicle_id: field.reference('vehicles', { required: true, as: 'vehicle', readOnly: true }),
    status: field.enum(['active', 'ended'], { default: 'active', readOnly: true, index: true }),
    starts_on: field.date({ required: true, readOnly: true }),
    ended_on: field.date({ readOnly: true }),
  },
  rowRules: passengerRecords(),
  defaultSort: '-created_at',
})

/** The history of an assignment: made, changed (stop or vehicle), ended. */
export const assignmentChanges = defineResource({
  name: 'assignment_changes',
  permissions: { create: false, update: false, delete: false },
  fields: {
    assignment_id: field.reference('assignments', {
      required: true,
      as: 'assignment',
      onDelete: 'cascade',
    }),
    ...passenger,
    kind: field.enum(['assigned', 'changed', 'ended'], { required: true }),
    from_stop_id: field.reference('stops', { as: 'from_stop', onDelete: 'set null' }),
    to_stop_id: field.reference('stops', { as: 'to_stop', onDelete: 'set null' }),
    from_vehicle_id: field.reference('vehicles', { as: 'from_vehicle', onDelete: 'set null' }),
    to_vehicle_id: field.reference('vehicles', { as: 'to_vehicle', onDelete: 'set null' }),
    reason: field.text({ max: 2000, personal: true }),
    changed_by: field.reference('core.users', { as: 'changer', onDelete: 'set null' }),
  },
  rowRules: passengerRecords(),
  defaultSort: '-created_at',
})

/**
 * One student billed for one term (unique per term and student): what makes
 * fee generation idempotent. The invoice itself lives in the ERP.
 */
export const termCharges = defineResource({
  name: 'term_charges',
  permissions: { create: false, update: false, delete: false },
  fields: {
    term_id: field.reference('erp.terms', { required: true, as: 'term' }),
    student_id: field.reference('erp.students', {
      required: true,
      as: 'student',
      personal: 'subject',
    }),
    assignment_id: field.reference('assignments', { required: true, as: 'assignment' }),
    stop_id: field.reference('stops', { as: 'stop', onDelete: 'set null' }),
    invoice_id: field.reference('erp.invoices', { as: 'invoice', onDelete: 'set null' }),
    amount: money({ required: true }),
  },
  rowRules: studentRecords(),
  defaultSort: '-created_at',
})
