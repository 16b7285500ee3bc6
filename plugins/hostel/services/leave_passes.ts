import { E_HOSTEL_NOT_FOUND, E_INVALID_TRANSITION, E_NOT_RESIDENT } from '../errors.js'
import { actsForSelf, assertActsFor, ownStudentId, type Row } from './support.js'
import {
  actorOf,
  emitEvent,
  invalidField,
  recordAudit,
  userIdOf,
  withTenantDb,
  type HookContext,
  type Principal,
  type ResourceHooks,
  type Trx,
} from '@oryne/sdk'

const time = (value: unknown) => new Date(value as string).getTime()

/**
 * A leave pass is asked for a resident student (a Student for themselves, a
 * Parent for a child, the office for anyone) and starts pending.
 */
export const leavePassHooks: ResourceHooks = {
  async beforeCreate(data, { trx, principal }: HookContext) {
    if (principal.roles.includes('Student') && actsForSelf(principal)) {
      data.student_id = await ownStudentId(trx, principal)
    }
    await assertActsFor(trx, principal, data.student_id)
    if (time(data.returns_by) <= time(data.leaves_at)) {
      throw invalidField('returns_by', 'after', 'The return time comes after the leaving time')
    }
    const stay = await trx
      .from('hostel_allocations')
      .where({ student_id: String(data.student_id), status: 'active' })
      .first()
    if (!stay) throw new E_NOT_RESIDENT([String(data.student_id)])
    data.hostel_id = stay.hostel_id
  },
}

async function lockPass(trx: Trx, id: string, from: string, to: string): Promise<Row> {
  const pass = await trx.from('hostel_leave_passes').where('id', id).forUpdate().first()
  if (!pass) throw new E_HOSTEL_NOT_FOUND(['Leave pass', id])
  if (pass.status !== from) throw new E_INVALID_TRANSITION([`leave pass ${id}`, pass.status, to])
  return pass
}

async function move(
  id: string,
  from: string,
  to: string,
  principal: Principal,
  fields: (pass: Row) => Row
) {
  return withTenantDb(async (trx) => {
    const pass = await lockPass(trx, id, from, to)
    const [moved] = await trx
      .from('hostel_leave_passes')
      .where('id', id)
      .update({ status: to, ...fields(pass), updated_at: new Date() })
      .returning('*')
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: `hostel.leave_passes.${to}`,
      subject: `hostel.leave_passes:${id}`,
      data: { from, to },
    })
    await emitEvent(
      `hostel.leave_pass.${to}`,
      { leave_pass_id: id, student_id: String(pass.student_id) },
      actor
    )
    return moved
  })
}

/** pending -> approved | rejected, by the hostel office. */
export function decideLeavePass(id: string, approve: boolean, principal: Principal) {
  return move(id, 'pending', approve ? 'approved' : 'rejected', principal, () => ({
    decided_by: userIdOf(principal),
    decided_at: new Date(),
  }))
}

/** approved -> returned, with the time the student came back (late after `returns_by`). */
export function markReturned(id: string, input: { returned_at?: Date }, principal: Principal) {
  const returnedAt = input.returned_at ?? new Date()
  return move(id, 'approved', 'returned', principal, (pass) => ({
    returned_at: returnedAt,
    late: returnedAt.getTime() > time(pass.returns_by),
  }))
}
