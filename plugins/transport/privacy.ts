import { isoDate, type PrivacyHooks, type Trx } from '@oryne/sdk'
import { rowsAboutUser } from '../erp/index.js'

/** The rows of `table` about the user (as a student, and as staff unless `staff` is false). */
const rowsOf = (trx: Trx, userId: string, table: string, alias: string, staff = true) =>
  rowsAboutUser(trx, userId, table, alias, { staff })

const day = (value: unknown) => (value ? isoDate(value) : null)
const instant = (value: unknown) => (value ? new Date(value as string).toISOString() : null)
const id = (value: unknown) => (value === null || value === undefined ? null : String(value))

/**
 * A user's transport data. Most of it is declared on the resources
 * (`personal` fields): core exports the passenger's assignment history and
 * term charges, empties the reasons of assignment changes, and deletes trip
 * marks (a trace of where and when the person was) on erasure, keeping
 * assignments and charges for seats and finance. This hook adds the two
 * views a declaration cannot give: an assignment with its route code and
 * stop times, and a trip mark with the trip's day, direction and vehicle.
 */
export const transportPrivacy: PrivacyHooks = {
  async exportPersonalData(userId, { trx }) {
    const assignments = await rowsOf(trx, userId, 'transport_assignments', 'a')
      .join('transport_routes as r', 'r.id', 'a.route_id')
      .join('transport_stops as s', 's.id', 'a.stop_id')
      .join('transport_vehicles as v', 'v.id', 'a.vehicle_id')
      .orderBy('a.id')
      .select(
        'a.id',
        'a.student_id',
        'a.user_id',
        'r.code as route_code',
        'r.name as route',
        's.name as stop',
        's.pickup_time',
        's.drop_time',
        'v.registration as vehicle',
        'a.status',
        'a.starts_on',
        'a.ended_on'
      )
    const marks = await rowsOf(trx, userId, 'transport_trip_marks', 'm', false)
      .join('transport_trips as t', 't.id', 'm.trip_id')
      .join('transport_vehicles as v', 'v.id', 't.vehicle_id')
      .leftJoin('transport_stops as bs', 'bs.id', 'm.boarded_stop_id')
      .leftJoin('transport_stops as al', 'al.id', 'm.alighted_stop_id')
      .orderBy('m.id')
      .select(
        'm.id',
        'm.student_id',
        't.trip_date',
        't.direction',
        'v.registration as vehicle',
        'bs.name as boarded_stop',
        'm.boarded_at',
        'al.name as alighted_stop',
        'm.alighted_at'
      )
    return {
      assignments: assignments.map((row) => ({
        ...row,
        id: id(row.id),
        student_id: id(row.student_id),
        starts_on: day(row.starts_on),
        ended_on: day(row.ended_on),
      })),
      trip_marks: marks.map((row) => ({
        ...row,
        id: id(row.id),
        student_id: id(row.student_id),
        trip_date: day(row.trip_date),
        boarded_at: instant(row.boarded_at),
        alighted_at: instant(row.alighted_at),
      })),
    }
  },
}
