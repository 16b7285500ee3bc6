import {
  E_COPY_NOT_AVAILABLE,
  E_COPY_NOT_FOUND,
  E_COPY_NOT_ON_LOAN,
  E_COPY_REFERENCE_ONLY,
  E_LOAN_LIMIT_REACHED,
  E_LOAN_OVERDUE,
  E_MEMBER_SUSPENDED,
  E_RENEWAL_LIMIT,
  E_RESERVATION_HELD,
  E_TITLE_RESERVED,
} from '../errors.js'
import { librarySettings, type LibrarySettings } from '../settings.js'
import { addDays, isoDate, tenantToday } from './dates.js'
import {
  assertFinesAllowBorrowing,
  chargeLoan,
  overdueFine,
  replacementCost,
  type Charge,
  type Waiver,
} from './fines.js'
import {
  borrowerFor,
  cardOf,
  memberOf,
  userOfMember,
  worksTheDesk,
  type BorrowerInput,
  type Row,
} from './members.js'
import { present } from './present.js'
import { shelveCopy } from './reservations.js'
import { actorOf, emitEvent, withTenantDb, type Principal, type Trx } from '@oryne/sdk'

/*
 * Circulation at the desk, by barcode. Every step takes the copy's row lock
 * first (then the member's, then reservations), so that steps on one copy
 * run one after the other and never deadlock; the partial unique index
 * library_loans_one_open_per_copy backs the lock: a copy is never on two
 * open loans, whatever reaches the table.
 */

export type DeskActor = { actor: string; userId: string | null }

export function deskActor(principal: Principal): DeskActor {
  return { actor: actorOf(principal), userId: principal.kind === 'user' ? principal.id : null }
}

async function lockCopy(trx: Trx, barcode: string): Promise<Row> {
  const copy = await trx.from('library_copies').where('barcode', barcode).forUpdate().first()
  if (!copy) throw new E_COPY_NOT_FOUND([barcode])
  return copy
}

async function openLoanOf(trx: Trx, copy: Row): Promise<Row> {
  const loan = await trx
    .from('library_loans')
    .where({ copy_id: copy.id, status: 'open' })
    .forUpdate()
    .first()
  if (!loan) throw new E_COPY_NOT_ON_LOAN([copy.barcode])
  return loan
}

function loanEvent(loan: Row, userId: string | null, extra: Record<string, unknown> = {}) {
  return {
    loan_id: String(loan.id),
    copy_id: String(loan.copy_id),
    title_id: String(loan.title_id),
    member_id: String(loan.member_id),
    user_id: userId,
    student_id: loan.student_id ? String(loan.student_id) : null,
    due_on: isoDate(loan.due_on),
    ...extra,
  }
}

function isOpenLoanConflict(error: unknown) {
  const e = error as { code?: string; constraint?: string }
  return e.code === '23505' && e.constraint === 'library_loans_one_open_per_copy'
}

/** Lends the copy with `barcode` to a borrower, on the terms of their card. */
export async function issueCopy(barcode: string, borrower: BorrowerInput, by: DeskActor) {
  const settings = await librarySettings()
  return withTenantDb(async (trx) => {
    const copy = await lockCopy(trx, barcode)
    if (copy.reference_only) throw new E_COPY_REFERENCE_ONLY([barcode])
    const member = await memberOf(trx, borrower, { lock: true })
    let hold: Row | undefined
    if (copy.status === 'on_hold') {
      hold = await trx
        .from('library_reservations')
        .where({ copy_id: copy.id, status: 'ready' })
        .forUpdate()
        .first()
      if (hold && String(hold.member_id) !== String(member.id))
        throw new E_RESERVATION_HELD([barcode, isoDate(hold.hold_until)])
    } else if (copy.status !== 'available') {
      throw new E_COPY_NOT_AVAILABLE([barcode, copy.status.replace('_', ' ')])
    }
    // The member's lock (taken above) makes the count below exact under concurrent issues to one member.
    if (member.status !== 'active') throw new E_MEMBER_SUSPENDED([member.card_no])
    await assertFinesAllowBorrowing(trx, member, settings)
    const card = await cardOf(trx, member, settings)
    const [{ open }] = await trx
      .from('library_loans')
      .where({ member_id: member.id, status: 'open' })
      .count('* as open')
    if (Number(open) >= card.max_loans) throw new E_LOAN_LIMIT_REACHED([open, card.max_loans])

    const today = tenantToday()
    let loan: Row
    try {
      ;[loan] = await trx
        .insertQuery()
        .table('library_loans')
        .insert({
          copy_id: copy.id,
          title_id: copy.title_id,
          member_id: member.id,
          student_id: member.student_id,
          user_id: member.user_id,
          issued_at: new Date(),
          due_on: addDays(today, card.loan_days),
          renewals: 0,
          renewals_allowed: card.renewals_allowed,
          fine_per_day: card.fine_per_day,
          fine_cap: card.fine_cap,
          status: 'open',
          issued_by: by.userId,
        })
        .returning('*')
    } catch (error) {
      if (isOpenLoanConflict(error)) throw new E_COPY_NOT_AVAILABLE([barcode, 'on loan'])
      throw error
    }
    await trx
      .from('library_copies')
      .where('id', copy.id)
      .update({ status: 'on_loan', updated_at: new Date() })
    // The member got the title: their place in its queue (held or waiting) is served.
    await trx
      .from('library_reservations')
      .where({ title_id: copy.title_id, member_id: member.id })
      .whereIn('status', ['waiting', 'ready'])
      .update({ status: 'fulfilled', closed_at: new Date(), updated_at: new Date() })
    await emitEvent(
      'library.loan.issued',
      loanEvent(loan, await userOfMember(trx, member)),
      by.actor
    )
    return present({ ...loan, barcode })
  })
}

/** Whether the loan is the borrower's own: their student record's, else their staff account's. */
function isLoanOf(loan: Row, borrower: BorrowerInput) {
  return borrower.student_id
    ? String(loan.student_id) === borrower.student_id
    : String(loan.user_id) === borrower.user_id
}

/**
 * Extends a loan by the member's loan days, unless renewals are used up, it
 * is overdue, someone waits or the member's unpaid fines are over the limit.
 * With `onlyFor`, a borrower who does not work the desk renews their own
 * loans only: another member's loan is refused as a copy not on loan, so that
 * nobody learns who has what.
 */
export async function renewLoan(
  barcode: string,
  by: DeskActor,
  options: { onlyFor?: Principal } = {}
) {
  const settings = await librarySettings()
  const borrower = options.onlyFor && !worksTheDesk(options.onlyFor) ? options.onlyFor : null
  return withTenantDb(async (trx) => {
    const copy = await lockCopy(trx, barcode)
    const loan = await openLoanOf(trx, copy)
    if (borrower && !isLoanOf(loan, await borrowerFor(trx, borrower, {})))
      throw new E_COPY_NOT_ON_LOAN([barcode])
    if (Number(loan.renewals) >= Number(loan.renewals_allowed))
      throw new E_RENEWAL_LIMIT([barcode, loan.renewals])
    const today = tenantToday()
    if (isoDate(loan.due_on) < today) throw new E_LOAN_OVERDUE([barcode, isoDate(loan.due_on)])
    const [{ waiting }] = await trx
      .from('library_reservations')
      .where({ title_id: loan.title_id, status: 'waiting' })
      .count('* as waiting')
    if (Number(waiting) > 0) {
      const title = await trx.from('library_titles').where('id', loan.title_id).first()
      throw new E_TITLE_RESERVED([waiting, title.title])
    }
    const member = await memberOf(trx, { member_id: String(loan.member_id) })
    await assertFinesAllowBorrowing(trx, member, settings)
    const card = await cardOf(trx, member, settings)
    const dueOn = addDays(today, card.loan_days)
    const [renewed] = await trx
      .from('library_loans')
      .where('id', loan.id)
      .update({
        due_on: dueOn > isoDate(loan.due_on) ? dueOn : isoDate(loan.due_on),
        renewals: Number(loan.renewals) + 1,
        due_soon_notified_on: null,
        updated_at: new Date(),
      })
      .returning('*')
    await emitEvent(
      'library.loan.renewed',
      loanEvent(renewed, await userOfMember(trx, member), { renewals: renewed.renewals }),
      by.actor
    )
    return present({ ...renewed, barcode })
  })
}

export type ReturnInput = {
  condition?: 'good' | 'damaged'
  /** Charge for the damage, minor units; the replacement cost when left out. */
  damage_charge?: number
  /** The desk waives every charge of this return (reason required). */
  waive_reason?: string
}

async function closeLoan(
  trx: Trx,
  copy: Row,
  loan: Row,
  outcome: 'returned' | 'lost',
  /** Charges besides the overdue fine (lost, damaged); null when there are none. */
  charges: ((title: Row) => Charge[]) | null,
  settings: LibrarySettings,
  waiver: Waiver | null
) {
  const today = tenantToday()
  const [closed] = await trx
    .from('library_loans')
    .where('id', loan.id)
    .update({ status: outcome, returned_at: new Date(), updated_at: new Date() })
    .returning('*')
  const member = await memberOf(trx, { member_id: String(loan.member_id) })
  const overdue = overdueFine(loan, today)
  // Most returns are on time and undamaged: nothing to charge, no title to read.
  if (!charges && !overdue.amount)
    return { loan: closed, member, fines: [], days_overdue: overdue.days }
  const title = await trx.from('library_titles').where('id', loan.title_id).first()
  const all: Charge[] = [
    { kind: 'overdue', amount: overdue.amount, days_overdue: overdue.days },
    ...(charges?.(title) ?? []),
  ]
  const fines = await chargeLoan(trx, { loan, member, title, copy }, all, settings, waiver)
  return { loan: closed, member, fines, days_overdue: overdue.days }
}

function summary(fines: Row[]) {
  return {
    fines: fines.map((fine) => present(fine)),
    fine_total: fines.reduce((sum, fine) => sum + Number(fine.amount), 0),
  }
}

/** Takes a copy back: fines for overdue days (and damage) are charged, the copy goes to the next reserver. */
export async function returnCopy(barcode: string, input: ReturnInput, by: DeskActor) {
  const settings = await librarySettings()
  const waiver = input.waive_reason ? { userId: by.userId, reason: input.waive_reason } : null
  return withTenantDb(async (trx) => {
    const copy = await lockCopy(trx, barcode)
    const loan = await openLoanOf(trx, copy)
    const damaged = input.condition === 'damaged'
    const closed = await closeLoan(
      trx,
      copy,
      loan,
      'returned',
      damaged
        ? (title) => [
            {
              kind: 'damaged',
              amount: input.damage_charge ?? replacementCost(copy, title, settings),
            },
          ]
        : null,
      settings,
      waiver
    )
    let reservation: Row | null = null
    if (damaged) {
      await trx
        .from('library_copies')
        .where('id', copy.id)
        .update({ status: 'damaged', updated_at: new Date() })
    } else {
      reservation = await shelveCopy(trx, copy, settings, by.actor)
    }
    const fines = summary(closed.fines)
    await emitEvent(
      'library.loan.returned',
      loanEvent(closed.loan, await userOfMember(trx, closed.member), {
        days_overdue: closed.days_overdue,
        fine_total: fines.fine_total,
        condition: damaged ? 'damaged' : 'good',
      }),
      by.actor
    )
    return {
      loan: present({ ...closed.loan, barcode }),
      days_overdue: closed.days_overdue,
      ...fines,
      held_for_reservation: reservation ? String(reservation.id) : null,
    }
  })
}

/** Closes the loan of a copy the member lost: the replacement cost and any overdue fine are charged. */
export async function declareLost(
  barcode: string,
  input: { waive_reason?: string },
  by: DeskActor
) {
  const settings = await librarySettings()
  const waiver = input.waive_reason ? { userId: by.userId, reason: input.waive_reason } : null
  return withTenantDb(async (trx) => {
    const copy = await lockCopy(trx, barcode)
    const loan = await openLoanOf(trx, copy)
    const closed = await closeLoan(
      trx,
      copy,
      loan,
      'lost',
      (title) => [{ kind: 'lost', amount: replacementCost(copy, title, settings) }],
      settings,
      waiver
    )
    await trx
      .from('library_copies')
      .where('id', copy.id)
      .update({ status: 'lost', updated_at: new Date() })
    await emitEvent(
      'library.loan.lost',
      loanEvent(closed.loan, await userOfMember(trx, closed.member)),
      by.actor
    )
    return {
      loan: present({ ...closed.loan, barcode }),
      days_overdue: closed.days_overdue,
      ...summary(closed.fines),
    }
  })
}
