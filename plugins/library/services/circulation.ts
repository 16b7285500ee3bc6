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
  type Card,
  type Row,
} from './members.js'
import { present } from './present.js'
import { erpRelation } from '../../erp/index.js'
import { holdCopyFor } from './reservations.js'
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

/**
 * The loan itself, in one statement: the member's open loans counted (exact:
 * the caller holds the member's lock, and the statement's snapshot is taken
 * after it), and unless the card's limit is reached, the loan inserted, the
 * copy marked on loan and the member's reservations of the title served.
 * Null when another open loan of the copy won the partial unique index.
 */
async function lend(
  trx: Trx,
  copy: Row,
  member: Row,
  card: Card,
  by: DeskActor
): Promise<Row | { limit: true; open: number } | null> {
  const at = new Date()
  try {
    const { rows } = await trx.rawQuery(
      `WITH counted AS (
         SELECT count(*)::int AS open FROM library_loans WHERE member_id = ? AND status = 'open'
       ), loan AS (
         INSERT INTO library_loans (copy_id, title_id, member_id, student_id, user_id, issued_at,
                                    due_on, renewals, renewals_allowed, fine_per_day, fine_cap,
                                    status, issued_by)
         SELECT ?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::uuid, ?::timestamptz, ?::date, 0,
                ?::int, ?::int, ?::int, 'open', ?::uuid
           FROM counted WHERE counted.open < ?
         RETURNING *
       ), lent AS (
         UPDATE library_copies SET status = 'on_loan', updated_at = ?
          WHERE id = ? AND EXISTS (SELECT 1 FROM loan)
       ), served AS (
         -- The member got the title: their place in its queue (held or waiting) is served.
         UPDATE library_reservations SET status = 'fulfilled', closed_at = ?, updated_at = ?
          WHERE title_id = ? AND member_id = ? AND status IN ('waiting', 'ready')
            AND EXISTS (SELECT 1 FROM loan)
       )
       SELECT counted.open AS __open, loan.* FROM counted LEFT JOIN loan ON true`,
      [
        member.id,
        copy.id,
        copy.title_id,
        member.id,
        member.student_id,
        member.user_id,
        at,
        addDays(tenantToday(), card.loan_days),
        card.renewals_allowed,
        card.fine_per_day,
        card.fine_cap,
        by.userId,
        card.max_loans,
        at,
        copy.id,
        at,
        at,
        copy.title_id,
        member.id,
      ] as any[]
    )
    const { __open: open, ...loan } = rows[0]
    return loan.id === null ? { limit: true, open } : loan
  } catch (error) {
    if (isUniqueViolation(error, 'library_loans_one_open_per_copy')) return null
    throw error
  }
}

/** Lends the copy with `barcode` to a borrower, on the terms of their card. */
export async function issueCopy(barcode: string, borrower: BorrowerInput, by: DeskActor) {
  const settings = await librarySettings()
  return withTenantDb(async (trx) => {
    const copy = await lockCopy(trx, barcode)
    if (copy.reference_only) throw new E_COPY_REFERENCE_ONLY([barcode])
    const member = await memberOf(trx, borrower, { lock: true, card: true })
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
    // The member's lock (taken above) makes lend()'s count exact under concurrent issues to one member.
    if (member.status !== 'active') throw new E_MEMBER_SUSPENDED([member.card_no])
    await assertFinesAllowBorrowing(trx, member, settings)
    const card = await cardOf(trx, member, settings)
    const loan = await lend(trx, copy, member, card, by)
    if (!loan) throw new E_COPY_NOT_AVAILABLE([barcode, 'on loan'])
    if ('limit' in loan) throw new E_LOAN_LIMIT_REACHED([loan.open, card.max_loans])
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

/** The member columns findMember reads (members.ts), prefixed so they sit beside the loan's. */
const MEMBER_COLUMNS = [
  ...['id', 'kind', 'student_id', 'user_id', 'card_no', 'status', 'note', 'custom'].map(
    (column) => `m.${column} AS member__${column}`
  ),
  'm.created_at AS member__created_at',
  'm.updated_at AS member__updated_at',
  's.user_id AS member__student_user_id',
  's.class_id AS member__class_id',
].join(', ')

/**
 * Closes the open loan of a copy whose lock the caller holds, in one
 * statement: the loan closed, its member read, and the copy given its next
 * status. With `shelve`, the first waiting reservation of the title (another
 * transaction's are skipped) takes the copy instead: it is returned locked
 * as `next`, for holdCopyFor.
 */
async function closeOpenLoan(
  trx: Trx,
  copy: Row,
  outcome: 'returned' | 'lost',
  copyStatus: 'available' | 'damaged' | 'lost',
  shelve: boolean
) {
  const at = new Date()
  const { rows } = await trx.rawQuery(
    `WITH closed AS (
       UPDATE library_loans SET status = ?, returned_at = ?, updated_at = ?
        WHERE copy_id = ? AND status = 'open' RETURNING *
     ), next AS (
       SELECT r.id, r.member_id FROM library_reservations r
        WHERE ?::boolean AND r.title_id = ? AND r.status = 'waiting' AND EXISTS (SELECT 1 FROM closed)
        ORDER BY r.id LIMIT 1 FOR UPDATE SKIP LOCKED
     ), shelved AS (
       UPDATE library_copies SET status = ?, updated_at = ?
        WHERE id = ? AND EXISTS (SELECT 1 FROM closed) AND NOT EXISTS (SELECT 1 FROM next)
     )
     SELECT closed.*, next.id AS next__id, next.member_id AS next__member_id, ${MEMBER_COLUMNS}
       FROM closed
       JOIN library_members m ON m.id = closed.member_id
       LEFT JOIN ${erpRelation('students', 's')} ON s.id = m.student_id
       LEFT JOIN next ON true`,
    [outcome, at, at, copy.id, shelve, copy.title_id, copyStatus, at, copy.id]
  )
  if (!rows[0]) throw new E_COPY_NOT_ON_LOAN([copy.barcode])
  const loan: Row = {}
  const member: Row = {}
  let next: Row | null = null
  for (const [column, value] of Object.entries(rows[0] as Row)) {
    if (column.startsWith('member__')) member[column.slice('member__'.length)] = value
    else if (column === 'next__id' && value !== null)
      next = { id: value, member_id: rows[0].next__member_id }
    else if (!column.startsWith('next__')) loan[column] = value
  }
  return { loan, member, next }
}

/** The charges of a closed loan: its overdue fine, and `charges` (lost, damaged) when given. */
async function chargeClosed(
  trx: Trx,
  copy: Row,
  closed: { loan: Row; member: Row },
  charges: ((title: Row) => Charge[]) | null,
  settings: LibrarySettings,
  waiver: Waiver | null
) {
  const overdue = overdueFine(closed.loan, tenantToday())
  // Most returns are on time and undamaged: nothing to charge, no title to read.
  if (!charges && !overdue.amount) return { fines: [], days_overdue: overdue.days }
  const title = await trx.from('library_titles').where('id', closed.loan.title_id).first()
  const all: Charge[] = [
    { kind: 'overdue', amount: overdue.amount, days_overdue: overdue.days },
    ...(charges?.(title) ?? []),
  ]
  const { loan, member } = closed
  const fines = await chargeLoan(trx, { loan, member, title, copy }, all, settings, waiver)
  return { fines, days_overdue: overdue.days }
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
    const damaged = input.condition === 'damaged'
    const closed = await closeOpenLoan(
      trx,
      copy,
      'returned',
      damaged ? 'damaged' : 'available',
      !damaged
    )
    const charged = await chargeClosed(
      trx,
      copy,
      closed,
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
    const reservation = closed.next
      ? await holdCopyFor(trx, copy, closed.next, settings, by.actor)
      : null
    const fines = summary(charged.fines)
    await emitEvent(
      'library.loan.returned',
      loanEvent(closed.loan, await userOfMember(trx, closed.member), {
        days_overdue: charged.days_overdue,
        fine_total: fines.fine_total,
        condition: damaged ? 'damaged' : 'good',
      }),
      by.actor
    )
    return {
      loan: present({ ...closed.loan, barcode }),
      days_overdue: charged.days_overdue,
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
    const closed = await closeOpenLoan(trx, copy, 'lost', 'lost', false)
    const charged = await chargeClosed(
      trx,
      copy,
      closed,
      (title) => [{ kind: 'lost', amount: replacementCost(copy, title, settings) }],
      settings,
      waiver
    )
    await emitEvent(
      'library.loan.lost',
      loanEvent(closed.loan, await userOfMember(trx, closed.member)),
      by.actor
    )
    return {
      loan: present({ ...closed.loan, barcode }),
      days_overdue: charged.days_overdue,
      ...summary(charged.fines),
    }
  })
}
