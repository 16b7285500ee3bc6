import { promoteWaitlist } from './registrations.js'
import { existingIds } from '../../erp/index.js'
import { actorOf, E_VALIDATION, type ResourceHooks, type Trx } from '@oryne/sdk'

type Row = Record<string, any>
type Problem = { field: string; rule: string; message: string }

const at = (value: unknown) =>
  value === null || value === undefined ? null : new Date(value as any)

/** Times that must follow each other: start <= end, opening < closing <= end of the event. */
function timeProblems(event: Row): Problem[] {
  const problems: Problem[] = []
  const starts = at(event.starts_at)!
  const ends = at(event.ends_at)
  const opens = at(event.registration_opens_at)
  const closes = at(event.registration_closes_at)
  if (ends && ends < starts)
    problems.push({ field: 'ends_at', rule: 'after', message: 'ends_at is before starts_at' })
  if (opens && closes && closes <= opens)
    problems.push({
      field: 'registration_closes_at',
      rule: 'after',
      message: 'registration_closes_at must follow registration_opens_at',
    })
  if (closes && closes > (ends ?? starts))
    problems.push({
      field: 'registration_closes_at',
      rule: 'before',
      message: 'registration closes by the end of the event at the latest',
    })
  return problems
}

/** Which of `names` are roles of the school. */
async function roleNames(trx: Trx, names: string[]) {
  const found = await trx.from('roles').whereIn('name', names).select('name')
  return new Set(found.map((row) => String(row.name)))
}

/** Audience ids must name classes, sections or roles that exist in the school. */
async function audienceProblems(trx: Trx, event: Row): Promise<Problem[]> {
  const audience = event.audience ?? 'all'
  const ids = event.audience_ids
  if (audience === 'all') {
    return ids === null || ids === undefined || (Array.isArray(ids) && !ids.length)
      ? []
      : [{ field: 'audience_ids', rule: 'empty', message: 'audience "all" takes no audience_ids' }]
  }
  const strings = Array.isArray(ids) && ids.every((id) => typeof id === 'string')
  if (!strings || !ids.length || ids.length > 200 || new Set(ids).size !== ids.length)
    return [
      {
        field: 'audience_ids',
        rule: 'array',
        message: `audience "${audience}" needs 1 to 200 distinct ids (strings)`,
      },
    ]
  if (audience !== 'roles' && !ids.every((id: string) => /^\d{1,18}$/.test(id)))
    return [{ field: 'audience_ids', rule: 'id', message: 'ids are strings of digits' }]
  const known =
    audience === 'roles' ? await roleNames(trx, ids) : await existingIds(trx, audience, ids)
  const unknown = ids.filter((id: string) => !known.has(id))
  return unknown.length
    ? [
        {
          field: 'audience_ids',
          rule: 'exists',
          message: `unknown ${audience}: ${unknown.slice(0, 10).join(', ')}`,
        },
      ]
    : []
}

async function assertValid(trx: Trx, event: Row) {
  const problems = [...timeProblems(event), ...(await audienceProblems(trx, event))]
  if (problems.length) throw new E_VALIDATION([], { details: problems })
}

/**
 * Keeps events coherent: times in order, an audience that exists, the creator
 * recorded, the reminder re-armed when the start moves, and places handed to
 * the waitlist when the capacity grows (or a waitlist-only event is opened up).
 */
export const eventHooks: ResourceHooks = {
  async beforeCreate(data, { trx, principal }) {
    if (principal.kind === 'user') data.created_by = principal.id
    if (data.audience === 'all' && data.audience_ids === undefined) data.audience_ids = null
    await assertValid(trx, data)
  },
  async beforeUpdate(changes, before, { trx }) {
    await assertValid(trx, { ...before, ...changes })
    if ('starts_at' in changes && String(at(changes.starts_at)) !== String(at(before.starts_at)))
      changes.reminded_at = null
  },
  async afterUpdate(record, before, { trx, principal }) {
    const grew =
      record.capacity === null
        ? before.capacity !== null
        : before.capacity !== null && Number(record.capacity) > Number(before.capacity)
    if (!grew) return
    const event = await trx.from('events_events').where('id', String(record.id)).forUpdate().first()
    await promoteWaitlist(trx, event, actorOf(principal))
  },
}
