import { createInvoice, creditInvoice, unpaidBalances } from '../../erp/index.js'
import {
  E_FINE_CLOSED,
  E_FINE_INVOICED,
  E_FINES_OUTSTANDING,
  E_LIBRARY_NOT_FOUND,
} from '../errors.js'
import type { LibrarySettings } from '../settings.js'
import type { Row } from './members.js'
import { addDays, daysBetween, emitEvent, isoDate, tenantToday, type Trx } from '@oryne/sdk'

export type Charge = { kind: 'overdue' | 'lost' | 'damaged'; amount: number; days_overdue?: number }

/** Who waives a charge at the desk, and why. */
export type Waiver = { userId: string | null; reason: string }

/** The overdue fine of a loan closed on `closedOn`: overdue days times the daily rate, capped (0: no cap). */
export function overdueFine(loan: Row, closedOn: string) {
  const days = Math.max(0, daysBetween(isoDate(loan.due_on), closedOn))
  const perDay = Number(loan.fine_per_day)
  const cap = Number(loan.fine_cap)
  const amount = cap ? Math.min(days * perDay, cap) : days * perDay
  return { days, amount }
}

/** What a lost or damaged copy costs: the copy's replacement cost, else its title's, else the setting. */
export function replacementCost(copy: Row, title: Row | undefined, settings: LibrarySettings) {
  for (const value of [copy.replacement_cost, title?.replacement_cost]) {
    if (value !== null && value !== undefined && Number(value) > 0) return Number(value)
  }
  return settings.default_replacement_cost
}

const LABELS = { overdue: 'overdue', lost: 'lost copy', damaged: 'damaged copy' }

/**
 * Records the charges of a closed loan. A student's charges are billed on one
 * ERP invoice (source `library`), in the same transaction; ERP has no invoice
 * for staff, so theirs stay owed to the library. Waived charges are recorded
 * as waived and never billed.
 */
export async function chargeLoan(
  trx: Trx,
  context: { loan: Row; member: Row; title: Row; copy: Row },
  charges: Charge[],
  settings: LibrarySettings,
  waiver: Waiver | null
): Promise<Row[]> {
  const due = charges.filter((charge) => charge.amount > 0)
  if (!due.length) return []
  const { loan, member, title, copy } = context
  let invoice: Row | null = null
  if (!waiver && member.kind === 'student') {
    const today = tenantToday()
    invoice = await createInvoice(trx, {
      student_id: member.student_id,
      source: 'library',
      due_on: addDays(today, settings.invoice_due_days),
      note: `Library loan ${loan.id}, copy ${copy.barcode}`,
      lines: due.map((charge) => ({
        description: `Library fine, ${LABELS[charge.kind]}: "${String(title.title).slice(0, 120)}"${
          charge.kind === 'overdue' ? ` (${charge.days_overdue} days)` : ''
        }`,
        amount: charge.amount,
      })),
    })
  }
  const status = waiver ? 'waived' : invoice ? 'invoiced' : 'owed'
  const rows = await trx
    .insertQuery()
    .table('library_fines')
    .multiInsert(
      due.map((charge) => ({
        loan_id: loan.id,
        member_id: member.id,
        student_id: member.student_id,
        user_id: member.user_id,
        kind: charge.kind,
        amount: charge.amount,
        days_overdue: charge.days_overdue ?? 0,
        status,
        invoice_id: invoice?.id ?? null,
        waived_by: waiver?.userId ?? null,
        waive_reason: waiver?.reason ?? null,
        closed_at: waiver ? new Date() : null,
      }))
    )
    .returning('*')
  return rows
}

/**
 * What a member has not paid of their fines: those owed to the library, and
 * the unpaid part of those billed on ERP invoices. A billed fine stays
 * `invoiced` once its invoice is paid (the ERP pays invoices, not fines), so
 * the invoice's balance tells: an invoice holds the charges of one loan only,
 * so what is unpaid of its fines is its balance, never more than the fines.
 */
export async function unpaidFines(trx: Trx, memberId: string): Promise<number> {
  const fines = await trx
    .from('library_fines')
    .where('member_id', memberId)
    .whereIn('status', ['owed', 'invoiced'])
    .select('status', 'amount', 'invoice_id')
  let unpaid = 0
  const billed = new Map<string, number>()
  for (const fine of fines) {
    const invoice = String(fine.invoice_id)
    if (fine.status === 'owed') unpaid += Number(fine.amount)
    else billed.set(invoice, (billed.get(invoice) ?? 0) + Number(fine.amount))
  }
  const balances = await unpaidBalances(trx, [...billed.keys()])
  for (const [invoice, amount] of billed) unpaid += Math.min(amount, balances.get(invoice) ?? 0)
  return unpaid
}

/** Refuses to lend to (or renew for) a member whose unpaid fines exceed `block_borrowing_over` (0: never). */
export async function assertFinesAllowBorrowing(trx: Trx, member: Row, settings: LibrarySettings) {
  const limit = settings.block_borrowing_over
  if (!limit) return
  const unpaid = await unpaidFines(trx, String(member.id))
  if (unpaid > limit) throw new E_FINES_OUTSTANDING([member.card_no, unpaid, limit])
}

/**
 * Waives or settles (paid at the desk) a fine still owed to the library.
 * Waiving a fine billed on an ERP invoice credits that invoice by the fine,
 * in the same transaction (refused by the ERP when the student already paid
 * it: ERR_ERP_OVER_CREDIT); a billed fine is paid in the ERP, not at the desk.
 */
export async function closeFine(
  trx: Trx,
  fineId: string,
  outcome: 'waived' | 'paid',
  by: { actor: string; userId: string | null; reason: string | null }
) {
  const fine = await trx.from('library_fines').where('id', fineId).forUpdate().first()
  if (!fine) throw new E_LIBRARY_NOT_FOUND(['Fine', fineId])
  const invoiced = fine.status === 'invoiced'
  if (invoiced && outcome === 'paid') throw new E_FINE_INVOICED([fineId, fine.invoice_id])
  if (fine.status !== 'owed' && !invoiced) throw new E_FINE_CLOSED([fineId, fine.status])
  if (invoiced) {
    await creditInvoice(trx, {
      invoice_id: fine.invoice_id,
      source: 'library',
      amount: Number(fine.amount),
      reason: `library fine ${fineId} waived (${by.reason ?? 'no reason given'})`,
      actor: by.actor,
    })
  }
  const [closed] = await trx
    .from('library_fines')
    .where('id', fineId)
    .update({
      status: outcome,
      waived_by: outcome === 'waived' ? by.userId : null,
      waive_reason: outcome === 'waived' ? by.reason : null,
      closed_at: new Date(),
      updated_at: new Date(),
    })
    .returning('*')
  await emitEvent(
    `library.fine.${outcome}`,
    { fine_id: String(fineId), loan_id: String(fine.loan_id), amount: Number(fine.amount) },
    by.actor
  )
  return closed
}
