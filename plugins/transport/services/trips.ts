import {
  E_ALREADY_ALIGHTED,
  E_ALREADY_BOARDED,
  E_INVALID_TRANSITION,
  E_NOT_ASSIGNED,
  E_NOT_BOARDED,
  E_TRANSPORT_NOT_FOUND,
  E_TRIP_CLOSED,
} from '../errors.js'
import { type Row } from './support.js'
import {
  actorOf,
  emitEvent,
  invalidField,
  userIdOf,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'

/*
 * Trip logs: the attendant marks each student boarding and alighting while
 * the trip is open. Each mark emits `transport.student.boarded` /
 * `transport.student.alighted` ({trip_id, student_id, stop_id, at}), which
 * tell the student's guardians (notifications.ts).
 */

export type MarkInput = { student_id: string; stop_id?: string; at?: Date }

async function openTrip(trx: Trx, id: string): Promise<Row> {
  // A share lock: marks run side by side, closing waits for them.
  const trip = await trx.from('transport_trips').where('id', id).forShare().first()
  if (!trip) throw new E_TRANSPORT_NOT_FOUND(['Trip', id])
  if (trip.status !== 'open') throw new E_TRIP_CLOSED([id])
  return trip
}

/** The stop of the mark: the one named (on the trip's route), else the student's own stop. */
async function stopOf(trx: Trx, trip: Row, input: MarkInput): Promise<string> {
  const assignment = await trx
    .from('transport_assignments')
    .where({ student_id: input.student_id, route_id: trip.route_id, status: 'active' })
    .first()
  if (!assignment) throw new E_NOT_ASSIGNED([input.student_id, String(trip.route_id)])
  if (!input.stop_id) return String(assignment.stop_id)
  const stop = await trx
    .from('transport_stops')
    .where({ id: input.stop_id, route_id: trip.route_id })
    .first()
  if (!stop) throw invalidField('stop_id', 'route', "The stop is not on the trip's route")
  return String(stop.id)
}

export function board(tripId: string, input: MarkInput, principal: Principal) {
  return withTenantDb(async (trx) => {
    const trip = await openTrip(trx, tripId)
    const stopId = await stopOf(trx, trip, input)
    const at = input.at ?? new Date()
    const { rows } = await trx.rawQuery(
      `INSERT INTO transport_trip_marks (trip_id, student_id, boarded_stop_id, boarded_at, marked_by)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (trip_id, student_id) DO NOTHING
       RETURNING *`,
      [trip.id, input.student_id, stopId, at, userIdOf(principal)]
    )
    if (!rows.length) throw new E_ALREADY_BOARDED([input.student_id, tripId])
    await emitEvent(
      'transport.student.boarded',
      { trip_id: tripId, student_id: input.student_id, stop_id: stopId, at: at.toISOString() },
      actorOf(principal)
    )
    return rows[0]
  })
}

export function alight(tripId: string, input: MarkInput, principal: Principal) {
  return withTenantDb(async (trx) => {
    const trip = await openTrip(trx, tripId)
    const stopId = await stopOf(trx, trip, input)
    const at = input.at ?? new Date()
    const { rows } = await trx.rawQuery(
      `UPDATE transport_trip_marks
          SET alighted_stop_id = ?, alighted_at = ?, marked_by = ?, updated_at = now()
        WHERE trip_id = ? AND student_id = ? AND alighted_at IS NULL
        RETURNING *`,
      [stopId, at, userIdOf(principal), trip.id, input.student_id]
    )
    if (!rows.length) {
      const mark = await trx
        .from('transport_trip_marks')
        .where({ trip_id: trip.id, student_id: input.student_id })
        .first()
      if (mark) throw new E_ALREADY_ALIGHTED([input.student_id, tripId])
      throw new E_NOT_BOARDED([input.student_id, tripId])
    }
    await emitEvent(
      'transport.student.alighted',
      { trip_id: tripId, student_id: input.student_id, stop_id: stopId, at: at.toISOString() },
      actorOf(principal)
    )
    return rows[0]
  })
}

/** Closes an open trip: no more marks; returns who is still marked on board. */
export function closeTrip(id: string, principal: Principal) {
  return withTenantDb(async (trx) => {
    const trip = await trx.from('transport_trips').where('id', id).forUpdate().first()
    if (!trip) throw new E_TRANSPORT_NOT_FOUND(['Trip', id])
    if (trip.status !== 'open')
      throw new E_INVALID_TRANSITION([`trip ${id}`, trip.status, 'closed'])
    const [closed] = await trx
      .from('transport_trips')
      .where('id', id)
      .update({ status: 'closed', closed_at: new Date(), updated_at: new Date() })
      .returning('*')
    const aboard = await trx
      .from('transport_trip_marks')
      .where('trip_id', id)
      .whereNull('alighted_at')
      .orderBy('student_id')
      .select('student_id')
    await emitEvent(
      'transport.trip.closed',
      { trip_id: id, still_aboard: aboard.map((row) => String(row.student_id)) },
      actorOf(principal)
    )
    return { ...closed, still_aboard: aboard.map((row) => String(row.student_id)) }
  })
}
