import { isoDate, type PrivacyHooks, type Trx } from '@oryne/sdk'
import { joinErp, rowsAboutUser } from '../erp/index.js'

/** The rows of `table` about the user (as a student, and as staff unless `staff` is false). */
const rowsOf = (trx: Trx, userId: string, table: string, alias: string, staff = true) =>
  rowsAboutUser(trx, userId, table, alias, { staff })

const day = (value: unknown) => (value ? isoDate(value) : null)
const instant = (value: unknown) => (value ? new Date(value as string).toISOString() : null)
const id = (value: unknown) => (value === null || value === undefined ? null : String(value))

/**
 * A user's transport data: their assignments (route, stop and times,
 * vehicle) with their change history, term charges and trip marks, as a
 * student or a staff passenger. Erasure keeps what seats and finance need
 * (assignments, their history, term charges on ERP invoices) without the
 * free-text reasons of the changes, and deletes the trip marks: a trace of
 * where and when the person was, which nothing else needs.
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
    const changes = await rowsOf(trx, userId, 'transport_assignment_changes', 'c')
      .leftJoin('transport_stops as fs', 'fs.id', 'c.from_stop_id')
      .leftJoin('transport_stops as ts', 'ts.id', 'c.to_stop_id')
      .leftJoin('transport_vehicles as fv', 'fv.id', 'c.from_vehicle_id')
      .leftJoin('transport_vehicles as tv', 'tv.id', 'c.to_vehicle_id')
      .orderBy('c.id')
      .select(
        'c.id',
        'c.assignment_id',
        'c.kind',
        'fs.name as from_stop',
        'ts.name as to_stop',
        'fv.registration as from_vehicle',
        'tv.registration as to_vehicle',
        'c.reason',
        'c.created_at'
      )
    const charges = await joinErp(
      rowsOf(trx, userId, 'transport_term_charges', 'tc', false),
      'terms',
      't',
      'tc.term_id'
    )
      .leftJoin('transport_stops as s', 's.id', 'tc.stop_id')
      .orderBy('tc.id')
      .select(
        'tc.id',
        'tc.student_id',
        't.name as term',
        's.name as stop',
        'tc.amount',
        'tc.invoice_id',
        'tc.created_at'
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
      assignment_changes: changes.map((row) => ({
        ...row,
        id: id(row.id),
        assignment_id: id(row.assignment_id),
        created_at: instant(row.created_at),
      })),
      term_charges: charges.map((row) => ({
        ...row,
        id: id(row.id),
        student_id: id(row.student_id),
        invoice_id: id(row.invoice_id),
        created_at: instant(row.created_at),
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

  /** Idempotent: a second run finds nothing left to change and reports zeros. */
  async erasePersonalData(userId, { trx }) {
    const ids = (table: string, staff = true) =>
      rowsOf(trx, userId, table, 'x', staff).select('x.id')
    const reasons = await trx
      .from('transport_assignment_changes')
      .whereIn('id', ids('transport_assignment_changes'))
      .whereNotNull('reason')
      .update({ reason: null, updated_at: new Date() })
    // Also on a trip still under way: the person leaves its still-aboard list.
    const marks = await trx
      .from('transport_trip_marks')
      .whereIn('id', ids('transport_trip_marks', false))
      .delete()
    return { assignment_changes_redacted: Number(reasons), trip_marks_erased: Number(marks) }
  },
}
