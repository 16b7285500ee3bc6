import { E_HOSTEL_NOT_FOUND, E_INVALID_TRANSITION, E_REQUEST_PENDING } from '../errors.js'
import { allocateIn } from './allocations.js'
import { assertFits, assertNotAllocated, findResident } from './residents.js'
import { actsForSelf, assertActsFor, ownStudentId, type Row } from './support.js'
import {
  actorOf,
  recordAudit,
  userIdOf,
  withTenantDb,
  type HookContext,
  type Principal,
  type ResourceHooks,
  type Trx,
} from '@oryne/sdk'

/**
 * Requests: a Student asks for themselves (whatever the body says), a Parent
 * for a child (the row rules refuse other children), staff for themselves
 * when they name nobody. A resident with a bed or a pending request cannot
 * ask again.
 */
export const allocationRequestHooks: ResourceHooks = {
  async beforeCreate(data, { trx, principal }: HookContext) {
    if (principal.roles.includes('Student') && actsForSelf(principal)) {
      data.student_id = await ownStudentId(trx, principal)
      data.user_id = null
    } else if (!data.student_id && !data.user_id && principal.kind === 'user') {
      data.user_id = principal.id
    }
    await assertActsFor(trx, principal, data.student_id)
    const resident = await findResident(trx, data as Row)
    const hostel = await trx.from('hostel_hostels').where('id', String(data.hostel_id)).first()
    if (hostel) assertFits(hostel, resident)
    await assertNotAllocated(trx, resident)
    const pending = trx.from('hostel_allocation_requests').where('status', 'pending')
    if (resident.student_id) pending.where('student_id', resident.student_id)
    else pending.where('user_id', resident.user_id!)
    const open = await pending.first()
    if (open) throw new E_REQUEST_PENDING([resident.label, String(open.id)])
  },
}

async function lockPending(trx: Trx, id: string, to: string): Promise<Row> {
  const request = await trx.from('hostel_allocation_requests').where('id', id).forUpdate().first()
  if (!request) throw new E_HOSTEL_NOT_FOUND(['Allocation request', id])
  if (request.status !== 'pending') {
    throw new E_INVALID_TRANSITION([`allocation request ${id}`, request.status, to])
  }
  return request
}

/** Approves a pending request by allocating a bed in the room the office picked. */
export function approveRequest(
  id: string,
  input: { room_id: string; starts_on?: string; note?: string | null },
  principal: Principal
) {
  return withTenantDb(async (trx) => {
    const request = await lockPending(trx, id, 'approved')
    const allocation = await allocateIn(
      trx,
      {
        room_id: input.room_id,
        student_id: request.student_id,
        user_id: request.user_id,
        starts_on: input.starts_on,
      },
      principal
    )
    const [approved] = await trx
      .from('hostel_allocation_requests')
      .where('id', id)
      .update({
        status: 'approved',
        allocation_id: allocation.id,
        decided_by: userIdOf(principal),
        decided_at: new Date(),
        decision_note: input.note ?? null,
        updated_at: new Date(),
      })
      .returning('*')
    return { request: approved, allocation }
  })
}

export function rejectRequest(id: string, input: { note?: string | null }, principal: Principal) {
  return withTenantDb(async (trx) => {
    await lockPending(trx, id, 'rejected')
    const [rejected] = await trx
      .from('hostel_allocation_requests')
      .where('id', id)
      .update({
        status: 'rejected',
        decided_by: userIdOf(principal),
        decided_at: new Date(),
        decision_note: input.note ?? null,
        updated_at: new Date(),
      })
      .returning('*')
    await recordAudit(trx, {
      actor: actorOf(principal),
      action: 'hostel.allocation_requests.reject',
      subject: `hostel.allocation_requests:${id}`,
      data: { note: input.note ?? null },
    })
    return rejected
  })
}
