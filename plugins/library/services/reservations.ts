import {
  E_ALREADY_BORROWED,
  E_ALREADY_RESERVED,
  E_LIBRARY_NOT_FOUND,
  E_MEMBER_SUSPENDED,
  E_NOTHING_TO_RESERVE,
  E_RESERVATION_CLOSED,
} from '../errors.js'
import { librarySettings, type LibrarySettings } from '../settings.js'
import { present } from './present.js'
import { standingTo } from '../../erp/index.js'
import {
  borrowerFor,
  memberOf,
  userOfMember,
  worksTheDesk,
  type BorrowerInput,
  type Row,
} from './members.js'
import {
  actorOf,
  addDays,
  emitEvent,
  isoDate,
  isUniqueViolation,
  tenantToday,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'

const OUT_OF_CIRCULATION = ['lost', 'damaged', 'withdrawn']

/**
 * Puts a copy that came back (or was never out) where it belongs: on the hold
 * shelf for the first member waiting for its title, first come first served,
 * or back on the open shelf. The caller holds the copy's row lock; waiting
 * reservations another transaction holds are skipped, so two copies of one
 * title coming back at once go to two different members.
 */
export async function shelveCopy(trx: Trx, copy: Row, settings: LibrarySettings, actor: string) {
  const next = await trx
    .from('library_reservations')
    .where({ title_id: copy.title_id, status: 'waiting' })
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .first()
  if (!next) {
    await trx
      .from('library_copies')
      .where('id', copy.id)
      .update({ status: 'available', updated_at: new Date() })
    return null
  }
  return holdCopyFor(trx, copy, next, settings, actor)
}

/**
 * Holds the copy for the waiting reservation `next`, whose row lock the
 * caller holds: the reservation is ready until the hold ends, the copy on
 * hold, and the member told.
 */
export async function holdCopyFor(
  trx: Trx,
  copy: Row,
  next: Row,
  settings: LibrarySettings,
  actor: string
) {
  const holdUntil = addDays(tenantToday(), settings.hold_days)
  const [ready] = await trx
    .from('library_reservations')
    .where('id', next.id)
    .update({
      status: 'ready',
      copy_id: copy.id,
      ready_at: new Date(),
      hold_until: holdUntil,
      updated_at: new Date(),
    })
    .returning('*')
  await trx
    .from('library_copies')
    .where('id', copy.id)
    .update({ status: 'on_hold', updated_at: new Date() })
  const member = await trx.from('library_members').where('id', next.member_id).first()
  await emitEvent(
    'library.reservation.ready',
    {
      reservation_id: String(ready.id),
      title_id: String(copy.title_id),
      copy_id: String(copy.id),
      barcode: copy.barcode,
      member_id: String(member.id),
      student_id: member.student_id ? String(member.student_id) : null,
      user_id: await userOfMember(trx, member),
      hold_until: holdUntil,
    },
    actor
  )
  return ready
}

/** Joins the queue of a title; when a lendable copy is on the shelf it is held at once. */
export async function placeReservation(
  input: { title_id: string } & BorrowerInput,
  principal: Principal
) {
  const settings = await librarySettings()
  const actor = actorOf(principal)
  return withTenantDb(async (trx) => {
    const title = await trx.from('library_titles').where('id', input.title_id).first()
    if (!title) throw new E_LIBRARY_NOT_FOUND(['Title', input.title_id])
    const member = await memberOf(trx, await borrowerFor(trx, principal, input))
    if (member.status !== 'active') throw new E_MEMBER_SUSPENDED([member.card_no])
    const lendable = await trx
      .from('library_copies')
      .where({ title_id: title.id, reference_only: false })
      .whereNotIn('status', OUT_OF_CIRCULATION)
      .first()
    if (!lendable) throw new E_NOTHING_TO_RESERVE([title.id])
    const borrowed = await trx
      .from('library_loans')
      .where({ title_id: title.id, member_id: member.id, status: 'open' })
      .first()
    if (borrowed) throw new E_ALREADY_BORROWED([title.id])
    let reservation: Row
    try {
      ;[reservation] = await trx
        .insertQuery()
        .table('library_reservations')
        .insert({
          title_id: title.id,
          member_id: member.id,
          student_id: member.student_id,
          user_id: member.user_id,
          status: 'waiting',
        })
        .returning('*')
    } catch (error) {
      if (isUniqueViolation(error, 'library_reservations_one_per_member_title'))
        throw new E_ALREADY_RESERVED([title.id])
      throw error
    }
    const onShelf = await trx
      .from('library_copies')
      .where({ title_id: title.id, status: 'available', reference_only: false })
      .orderBy('id')
      .forUpdate()
      .skipLocked()
      .first()
    if (onShelf) await shelveCopy(trx, onShelf, settings, actor)
    await emitEvent(
      'library.reservation.placed',
      {
        reservation_id: String(reservation.id),
        title_id: String(title.id),
        member_id: String(member.id),
      },
      actor
    )
    return present(await trx.from('library_reservations').where('id', reservation.id).first())
  })
}

/** Whether the principal may act on a borrower record (own, a child's, or anyone's at the desk). */
async function reaches(trx: Trx, principal: Principal, record: Row) {
  if (worksTheDesk(principal)) return true
  if (principal.kind !== 'user') return false
  if (record.user_id && record.user_id === principal.id) return true
  if (!record.student_id) return false
  const standing = await standingTo(trx, principal.id, String(record.student_id))
  return standing.self || standing.guardian
}

/** Leaves the queue; a copy held for the reservation goes to the next member. */
export async function cancelReservation(id: string, principal: Principal) {
  const settings = await librarySettings()
  const actor = actorOf(principal)
  return withTenantDb(async (trx) => {
    const seen = await trx.from('library_reservations').where('id', id).first()
    if (!seen || !(await reaches(trx, principal, seen)))
      throw new E_LIBRARY_NOT_FOUND(['Reservation', id])
    // The copy first, as in every circulation step: locks are always taken copy, then reservation.
    const copy = seen.copy_id
      ? await trx.from('library_copies').where('id', seen.copy_id).forUpdate().first()
      : null
    const reservation = await trx.from('library_reservations').where('id', id).forUpdate().first()
    if (!['waiting', 'ready'].includes(reservation.status))
      throw new E_RESERVATION_CLOSED([id, reservation.status])
    const [cancelled] = await trx
      .from('library_reservations')
      .where('id', id)
      .update({ status: 'cancelled', closed_at: new Date(), updated_at: new Date() })
      .returning('*')
    if (reservation.status === 'ready' && copy) await shelveCopy(trx, copy, settings, actor)
    return present(cancelled)
  })
}

/** Ends holds nobody collected by their last day; each copy goes to the next member waiting. */
export async function expireHolds(settings: LibrarySettings) {
  const today = tenantToday()
  return withTenantDb(async (trx) => {
    const stale = await trx
      .from('library_reservations')
      .where('status', 'ready')
      .where('hold_until', '<', today)
      .orderBy('id')
      .select('id', 'copy_id')
    let expired = 0
    for (const { id, copy_id: copyId } of stale) {
      const copy = await trx
        .from('library_copies')
        .where('id', copyId)
        .forUpdate()
        .skipLocked()
        .first()
      if (!copy) continue
      const reservation = await trx.from('library_reservations').where('id', id).forUpdate().first()
      if (reservation.status !== 'ready' || isoDate(reservation.hold_until) >= today) continue
      await trx
        .from('library_reservations')
        .where('id', id)
        .update({ status: 'expired', closed_at: new Date(), updated_at: new Date() })
      await shelveCopy(trx, copy, settings, 'system')
      expired++
    }
    return expired
  })
}

/**
 * Holds copies that sit on the open shelf while members wait for their title:
 * a reservation placed while the last copy was coming back (the two
 * transactions did not see each other) is served by the next sweep.
 */
export async function holdWaitingCopies(settings: LibrarySettings) {
  return withTenantDb(async (trx) => {
    const idle = await trx
      .from('library_copies as c')
      .where('c.status', 'available')
      .where('c.reference_only', false)
      .whereExists((waiting) =>
        waiting
          .from('library_reservations as r')
          .whereRaw('r.title_id = c.title_id')
          .where('r.status', 'waiting')
      )
      .orderBy('c.id')
      .forUpdate('c')
      .skipLocked()
      .select('c.*')
    let held = 0
    for (const copy of idle) if (await shelveCopy(trx, copy, settings, 'system')) held++
    return held
  })
}
