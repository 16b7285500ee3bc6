import {
  E_ALREADY_ASSIGNED,
  E_INVALID_TRANSITION,
  E_NOTHING_TO_CHANGE,
  E_TRANSPORT_NOT_FOUND,
  E_VEHICLE_FULL,
  E_VEHICLE_NOT_ON_ROUTE,
  E_VEHICLE_UNAVAILABLE,
} from '../errors.js'
import { findStudent } from '../../erp/index.js'
import { type Row } from './support.js'
import {
  actorOf,
  emitEvent,
  invalidField,
  onUniqueViolation,
  recordAudit,
  tenantToday,
  userIdOf,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'

/*
 * Seats. `transport_vehicles.occupied` counts the active assignments riding a
 * vehicle; it moves only through the conditional updates below (and a CHECK
 * keeps it within `seats`), so concurrent assignments never overfill a
 * vehicle. A passenger has at most one active assignment (a partial unique
 * index). Every change is written to `transport_assignment_changes`.
 */

type Passenger = { student_id: string | null; user_id: string | null; label: string }

async function findPassenger(
  trx: Trx,
  input: { student_id?: string | null; user_id?: string | null }
): Promise<Passenger> {
  if (!input.student_id === !input.user_id) {
    throw invalidField('student_id', 'oneOf', 'Name exactly one passenger: student_id or user_id')
  }
  if (input.student_id) {
    const student = await findStudent(trx, input.student_id)
    if (!student) throw invalidField('student_id', 'reference', 'No such student')
    if (student.status !== 'active') {
      throw invalidField('student_id', 'active', `The student is ${student.status}`)
    }
    return { student_id: String(student.id), user_id: null, label: `Student ${student.id}` }
  }
  const user = await trx.from('users').where('id', input.user_id!).select('id', 'status').first()
  if (!user || user.status === 'disabled') {
    throw invalidField('user_id', 'reference', 'No such active user')
  }
  return { student_id: null, user_id: user.id, label: `User ${user.id}` }
}

async function findStop(trx: Trx, stopId: string): Promise<Row> {
  const stop = await trx.from('transport_stops').where('id', stopId).first()
  if (!stop) throw invalidField('stop_id', 'reference', 'No such stop')
  return stop
}

/** The vehicle, checked to be active and to serve the stop's route. */
async function vehicleFor(trx: Trx, vehicleId: string, stop: Row): Promise<Row> {
  const vehicle = await trx.from('transport_vehicles').where('id', vehicleId).first()
  if (!vehicle) throw invalidField('vehicle_id', 'reference', 'No such vehicle')
  if (vehicle.status !== 'active') {
    throw new E_VEHICLE_UNAVAILABLE([vehicle.registration, vehicle.status])
  }
  if (String(vehicle.route_id) !== String(stop.route_id)) {
    throw new E_VEHICLE_NOT_ON_ROUTE([vehicle.registration, String(stop.route_id)])
  }
  return vehicle
}

/** Takes one seat of the vehicle, or refuses with ERR_TRANSPORT_VEHICLE_FULL. */
async function takeSeat(trx: Trx, vehicle: Row) {
  const { rows } = await trx.rawQuery(
    `UPDATE transport_vehicles SET occupied = occupied + 1, updated_at = now()
      WHERE id = ? AND status = 'active' AND occupied < seats
      RETURNING occupied`,
    [vehicle.id]
  )
  if (!rows.length) {
    const now = await trx.from('transport_vehicles').where('id', vehicle.id).first()
    throw new E_VEHICLE_FULL([vehicle.registration, now.occupied, now.seats])
  }
}

async function freeSeat(trx: Trx, vehicleId: string | number) {
  await trx.rawQuery(
    `UPDATE transport_vehicles SET occupied = occupied - 1, updated_at = now() WHERE id = ? AND occupied > 0`,
    [vehicleId]
  )
}

async function recordChange(trx: Trx, assignment: Row, change: Row, principal: Principal) {
  await trx
    .insertQuery()
    .table('transport_assignment_changes')
    .insert({
      assignment_id: assignment.id,
      student_id: assignment.student_id,
      user_id: assignment.user_id,
      changed_by: userIdOf(principal),
      ...change,
    })
  const actor = actorOf(principal)
  await recordAudit(trx, {
    actor,
    action: `transport.assignments.${change.kind}`,
    subject: `transport.assignments:${assignment.id}`,
    data: change,
  })
  await emitEvent(
    `transport.assignment.${change.kind}`,
    {
      assignment_id: String(assignment.id),
      student_id: assignment.student_id ? String(assignment.student_id) : null,
      user_id: assignment.user_id,
      route_id: String(assignment.route_id),
      stop_id: String(assignment.stop_id),
      vehicle_id: String(assignment.vehicle_id),
    },
    actor
  )
}

export type AssignInput = {
  stop_id: string
  vehicle_id: string
  student_id?: string | null
  user_id?: string | null
  starts_on?: string
}

/** Assigns a student or a staff member to a stop and a vehicle of its route. */
export function assign(input: AssignInput, principal: Principal) {
  return withTenantDb(async (trx) => {
    const passenger = await findPassenger(trx, input)
    const stop = await findStop(trx, input.stop_id)
    const vehicle = await vehicleFor(trx, input.vehicle_id, stop)
    const current = await trx
      .from('transport_assignments')
      .where('status', 'active')
      .where(
        passenger.student_id ? 'student_id' : 'user_id',
        (passenger.student_id ?? passenger.user_id)!
      )
      .first()
    if (current) throw new E_ALREADY_ASSIGNED([passenger.label, String(current.id)])
    await takeSeat(trx, vehicle)
    // A concurrent assignment of the same passenger may commit first: the unique index decides.
    const [assignment]: Row[] = await onUniqueViolation(
      trx
        .insertQuery()
        .table('transport_assignments')
        .insert({
          student_id: passenger.student_id,
          user_id: passenger.user_id,
          route_id: stop.route_id,
          stop_id: stop.id,
          vehicle_id: vehicle.id,
          status: 'active',
          starts_on: input.starts_on ?? tenantToday(),
        })
        .returning('*'),
      () => new E_ALREADY_ASSIGNED([passenger.label, 'just made'])
    )
    await recordChange(
      trx,
      assignment,
      { kind: 'assigned', to_stop_id: stop.id, to_vehicle_id: vehicle.id },
      principal
    )
    return assignment
  })
}

async function lockActive(trx: Trx, id: string, to: string): Promise<Row> {
  const assignment = await trx.from('transport_assignments').where('id', id).forUpdate().first()
  if (!assignment) throw new E_TRANSPORT_NOT_FOUND(['Assignment', id])
  if (assignment.status !== 'active') {
    throw new E_INVALID_TRANSITION([`assignment ${id}`, assignment.status, to])
  }
  return assignment
}

/**
 * Moves a passenger to another stop and/or vehicle (possibly of another
 * route). A new vehicle's seat is taken before the old one is freed; both
 * vehicles are locked in id order, so crossing changes never deadlock.
 */
export function changeAssignment(
  id: string,
  input: { stop_id?: string; vehicle_id?: string; reason?: string | null },
  principal: Principal
) {
  return withTenantDb(async (trx) => {
    const current = await lockActive(trx, id, 'changed')
    const stop = await findStop(trx, input.stop_id ?? String(current.stop_id))
    const vehicleId = input.vehicle_id ?? String(current.vehicle_id)
    if (String(stop.id) === String(current.stop_id) && vehicleId === String(current.vehicle_id)) {
      throw new E_NOTHING_TO_CHANGE([id])
    }
    const moving = vehicleId !== String(current.vehicle_id)
    if (moving) {
      await trx
        .from('transport_vehicles')
        .whereIn('id', [current.vehicle_id, vehicleId])
        .orderBy('id')
        .forUpdate()
        .select('id')
    }
    const vehicle = await vehicleFor(trx, vehicleId, stop)
    if (moving) {
      await takeSeat(trx, vehicle)
      await freeSeat(trx, current.vehicle_id)
    }
    const [changed] = await trx
      .from('transport_assignments')
      .where('id', id)
      .update({
        route_id: stop.route_id,
        stop_id: stop.id,
        vehicle_id: vehicle.id,
        updated_at: new Date(),
      })
      .returning('*')
    await recordChange(
      trx,
      changed,
      {
        kind: 'changed',
        from_stop_id: current.stop_id,
        to_stop_id: stop.id,
        from_vehicle_id: current.vehicle_id,
        to_vehicle_id: vehicle.id,
        reason: input.reason ?? null,
      },
      principal
    )
    return changed
  })
}

/** Ends an assignment: the seat is free at once. */
export function endAssignment(
  id: string,
  input: { ended_on?: string; reason?: string | null },
  principal: Principal
) {
  return withTenantDb(async (trx) => {
    const current = await lockActive(trx, id, 'ended')
    const [ended] = await trx
      .from('transport_assignments')
      .where('id', id)
      .update({
        status: 'ended',
        ended_on: input.ended_on ?? tenantToday(),
        updated_at: new Date(),
      })
      .returning('*')
    await freeSeat(trx, current.vehicle_id)
    await recordChange(
      trx,
      ended,
      {
        kind: 'ended',
        from_stop_id: current.stop_id,
        from_vehicle_id: current.vehicle_id,
        reason: input.reason ?? null,
      },
      principal
    )
    return ended
  })
}
