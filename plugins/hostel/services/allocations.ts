import {
  E_ALREADY_ALLOCATED,
  E_HOSTEL_NOT_FOUND,
  E_INVALID_TRANSITION,
  E_ROOM_FULL,
  E_ROOM_UNAVAILABLE,
  E_SAME_ROOM,
} from '../errors.js'
import { assertFits, assertNotAllocated, findResident, type Resident } from './residents.js'
import { type Row } from './support.js'
import {
  actorOf,
  emitEvent,
  onUniqueViolation,
  recordAudit,
  tenantToday,
  userIdOf,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'

/*
 * Beds. `hostel_rooms.occupied` counts a room's active allocations; it only
 * moves through the conditional updates below (and a CHECK keeps it within
 * capacity), so concurrent allocations can never overfill a room. A resident
 * has at most one active allocation (a partial unique index), so two
 * concurrent allocations of the same student cannot both succeed either.
 */

export type AllocateInput = {
  room_id: string
  student_id?: string | null
  user_id?: string | null
  starts_on?: string
}

async function roomWithHostel(trx: Trx, roomId: string): Promise<Row> {
  const room = await trx
    .from('hostel_rooms as r')
    .join('hostel_hostels as h', 'h.id', 'r.hostel_id')
    .where('r.id', roomId)
    .select('r.*', 'h.name as hostel_name', 'h.type as hostel_type', 'h.status as hostel_status')
    .first()
  if (!room) throw new E_HOSTEL_NOT_FOUND(['Room', roomId])
  if (room.status !== 'active') throw new E_ROOM_UNAVAILABLE([room.number, room.status])
  if (room.hostel_status !== 'active') {
    throw new E_ROOM_UNAVAILABLE([room.number, `in the ${room.hostel_status} hostel`])
  }
  return room
}

/** Takes one bed of the room, or refuses with ERR_HOSTEL_ROOM_FULL. */
async function takeBed(trx: Trx, room: Row) {
  const { rows } = await trx.rawQuery(
    `UPDATE hostel_rooms SET occupied = occupied + 1, updated_at = now()
      WHERE id = ? AND status = 'active' AND occupied < capacity
      RETURNING occupied`,
    [room.id]
  )
  if (!rows.length) {
    const now = await trx.from('hostel_rooms').where('id', room.id).first()
    throw new E_ROOM_FULL([room.number, now.occupied, now.capacity])
  }
}

async function freeBed(trx: Trx, roomId: string | number) {
  await trx.rawQuery(
    `UPDATE hostel_rooms SET occupied = occupied - 1, updated_at = now() WHERE id = ? AND occupied > 0`,
    [roomId]
  )
}

async function insertAllocation(
  trx: Trx,
  resident: Resident & { label: string },
  room: Row,
  extra: { starts_on: string; previous_id?: unknown; allocated_by: string | null }
): Promise<Row> {
  // A concurrent allocation of the same resident may commit first: the unique index decides.
  const [allocation]: Row[] = await onUniqueViolation(
    trx
      .insertQuery()
      .table('hostel_allocations')
      .insert({
        student_id: resident.student_id,
        user_id: resident.user_id,
        hostel_id: room.hostel_id,
        room_id: room.id,
        status: 'active',
        ...extra,
      })
      .returning('*'),
    () => new E_ALREADY_ALLOCATED([resident.label, 'just made'])
  )
  return allocation
}

/** Allocates a bed in the caller's transaction (also used by request approval). */
export async function allocateIn(trx: Trx, input: AllocateInput, principal: Principal) {
  const resident = await findResident(trx, input)
  const room = await roomWithHostel(trx, input.room_id)
  assertFits({ name: room.hostel_name, type: room.hostel_type }, resident)
  await assertNotAllocated(trx, resident)
  await takeBed(trx, room)
  const allocation = await insertAllocation(trx, resident, room, {
    starts_on: input.starts_on ?? tenantToday(),
    allocated_by: userIdOf(principal),
  })
  const actor = actorOf(principal)
  await recordAudit(trx, {
    actor,
    action: 'hostel.allocations.allocate',
    subject: `hostel.allocations:${allocation.id}`,
    data: { room_id: String(room.id), student_id: resident.student_id, user_id: resident.user_id },
  })
  await emitEvent(
    'hostel.allocation.created',
    {
      allocation_id: String(allocation.id),
      room_id: String(room.id),
      hostel_id: String(room.hostel_id),
      student_id: resident.student_id,
      user_id: resident.user_id,
    },
    actor
  )
  return allocation
}

export function allocate(input: AllocateInput, principal: Principal) {
  return withTenantDb((trx) => allocateIn(trx, input, principal))
}

async function lockActive(trx: Trx, id: string, to: string): Promise<Row> {
  const allocation = await trx.from('hostel_allocations').where('id', id).forUpdate().first()
  if (!allocation) throw new E_HOSTEL_NOT_FOUND(['Allocation', id])
  if (allocation.status !== 'active') {
    throw new E_INVALID_TRANSITION([`allocation ${id}`, allocation.status, to])
  }
  return allocation
}

/** Ends a stay: the bed is free at once. */
export function vacate(id: string, input: { ended_on?: string }, principal: Principal) {
  return withTenantDb(async (trx) => {
    const allocation = await lockActive(trx, id, 'vacated')
    const [vacated] = await trx
      .from('hostel_allocations')
      .where('id', id)
      .update({
        status: 'vacated',
        ended_on: input.ended_on ?? tenantToday(),
        updated_at: new Date(),
      })
      .returning('*')
    await freeBed(trx, allocation.room_id)
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'hostel.allocations.vacate',
      subject: `hostel.allocations:${id}`,
      data: { room_id: String(allocation.room_id) },
    })
    await emitEvent(
      'hostel.allocation.vacated',
      { allocation_id: id, room_id: String(allocation.room_id) },
      actor
    )
    return vacated
  })
}

/**
 * Moves a resident to another room: the current allocation ends as
 * `transferred`, a new one continues it (`previous_id`) and the transfer is
 * recorded. Both rooms are locked in id order, so crossing transfers never
 * deadlock.
 */
export function transfer(
  id: string,
  input: { room_id: string; reason?: string | null },
  principal: Principal
) {
  return withTenantDb(async (trx) => {
    const current = await lockActive(trx, id, 'transferred')
    if (String(current.room_id) === String(input.room_id)) {
      throw new E_SAME_ROOM([id, String(current.room_id)])
    }
    await trx
      .from('hostel_rooms')
      .whereIn('id', [current.room_id, input.room_id])
      .orderBy('id')
      .forUpdate()
      .select('id')
    const target = await roomWithHostel(trx, input.room_id)
    const resident = await findResident(trx, current)
    assertFits({ name: target.hostel_name, type: target.hostel_type }, resident)
    await takeBed(trx, target)
    const today = tenantToday()
    await trx
      .from('hostel_allocations')
      .where('id', id)
      .update({ status: 'transferred', ended_on: today, updated_at: new Date() })
    await freeBed(trx, current.room_id)
    const allocation = await insertAllocation(trx, resident, target, {
      starts_on: today,
      previous_id: current.id,
      allocated_by: userIdOf(principal),
    })
    const [record] = await trx
      .insertQuery()
      .table('hostel_transfers')
      .insert({
        student_id: resident.student_id,
        user_id: resident.user_id,
        from_allocation_id: current.id,
        to_allocation_id: allocation.id,
        from_room_id: current.room_id,
        to_room_id: target.id,
        reason: input.reason ?? null,
        transferred_by: userIdOf(principal),
      })
      .returning('*')
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'hostel.allocations.transfer',
      subject: `hostel.allocations:${id}`,
      data: { from_room_id: String(current.room_id), to_room_id: String(target.id) },
    })
    await emitEvent(
      'hostel.allocation.transferred',
      {
        transfer_id: String(record.id),
        from_allocation_id: id,
        to_allocation_id: String(allocation.id),
        from_room_id: String(current.room_id),
        to_room_id: String(target.id),
      },
      actor
    )
    return { allocation, transfer: record }
  })
}
