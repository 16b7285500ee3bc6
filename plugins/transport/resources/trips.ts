import { studentRecords } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

/** A run of a vehicle on its route; boarding and alighting are marked while it is open. */
export const trips = defineResource({
  name: 'trips',
  permissions: { delete: false },
  fields: {
    vehicle_id: field.reference('vehicles', { required: true, as: 'vehicle' }),
    route_id: field.reference('routes', {
      as: 'route',
      readOnly: true,
      description: "The vehicle's route when the trip was created.",
    }),
    direction: field.enum(['pickup', 'drop'], { required: true }),
    trip_date: field.date({ required: true, index: true }),
    status: field.enum(['open', 'closed'], { default: 'open', readOnly: true }),
    closed_at: field.datetime({ readOnly: true }),
    notes: field.text({ max: 2000 }),
  },
  defaultSort: '-trip_date',
})

/** One student on one trip: when and where they boarded and alighted. */
export const tripMarks = defineResource({
  name: 'trip_marks',
  permissions: { create: false, update: false, delete: false },
  fields: {
    trip_id: field.reference('trips', { required: true, as: 'trip', onDelete: 'cascade' }),
    student_id: field.reference('erp.students', {
      required: true,
      as: 'student',
      onDelete: 'cascade',
      personal: 'subject',
    }),
    boarded_stop_id: field.reference('stops', { as: 'boarded_stop', onDelete: 'set null' }),
    boarded_at: field.datetime({ readOnly: true }),
    alighted_stop_id: field.reference('stops', { as: 'alighted_stop', onDelete: 'set null' }),
    alighted_at: field.datetime({ readOnly: true }),
    marked_by: field.reference('core.users', { as: 'marker', onDelete: 'set null' }),
  },
  // A trace of where and when the person was, which nothing else needs once they are erased.
  privacy: { erase: 'delete' },
  rowRules: studentRecords(),
  defaultSort: '-created_at',
})
