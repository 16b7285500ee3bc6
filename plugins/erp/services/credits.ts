import { E_CREDIT_SOURCE, E_OVER_CREDIT } from '../errors.js'
import { balanceOf, lockInvoice, statusOf } from './fees.js'
import { emitEvent, recordAudit, type Trx } from '@oryne/sdk'

type Row = Record<string, any>

export type InvoiceCredit = {
  invoice_id: string | number
  /**
   * Who takes the charge back: it must be the invoice's source (`library`,
   * `estore`, ...; `fees` for the ERP's own invoices), so that a plugin can
   * only take back what it billed.
   */
  source: string
  /** Minor units of the tenant's currency. */
  amount: number
  /** Why, shown on the credit line ("Credit: <reason>"). */
  reason: string
  actor: string
}

/**
 * What can still be credited on an invoice: what is unpaid of its charges.
 * Never more than the balance (money already kept is refunded, not
 * credited) nor than the charges net of their discounts (the late fine is the
 * ERP's, not the billing source's).
 */
export function creditableOf(invoice: Row): number {
  if (invoice.status === 'cancelled') return 0
  const charges = Number(invoice.amount) - Number(invoice.discount ?? 0)
  return Math.max(0, Math.min(balanceOf(invoice), charges))
}

/**
 * Takes back part or all of a charge a plugin billed, in the caller's
 * transaction: a credit line (negative amount) is added to the invoice and
 * its amount lowered by as much, so the lines still add up to the amount and
 * every balance, status, report and PDF reads it without knowing credits
 * exist. An invoice left owing nothing and holding no money is `cancelled`;
 * one whose payments now cover it is `paid`. A credit larger than what is
 * unpaid is refused (ERR_ERP_OVER_CREDIT): refund the payment first.
 */
export async function creditInvoice(trx: Trx, credit: InvoiceCredit) {
  if (!Number.isSafeInteger(credit.amount) || credit.amount <= 0) {
    throw new TypeError(`amount must be a positive integer in minor units, got ${credit.amount}`)
  }
  const invoice = await lockInvoice(trx, credit.invoice_id)
  const billedBy = invoice.source ?? 'fees'
  if (billedBy !== credit.source) {
    throw new E_CREDIT_SOURCE([invoice.number, billedBy, credit.source])
  }
  const creditable = creditableOf(invoice)
  if (credit.amount > creditable) {
    throw new E_OVER_CREDIT([invoice.number, creditable, credit.amount])
  }
  const [line] = await trx
    .insertQuery()
    .table('erp_invoice_lines')
    .insert({
      invoice_id: invoice.id,
      student_id: invoice.student_id,
      description: `Credit: ${credit.reason}`.slice(0, 200),
      amount: -credit.amount,
      discount: 0,
    })
    .returning('*')
  invoice.amount = Number(invoice.amount) - credit.amount
  const balance = balanceOf(invoice)
  const kept = Number(invoice.paid ?? 0) - Number(invoice.refunded ?? 0)
  const status = balance === 0 && kept === 0 ? 'cancelled' : statusOf(invoice)
  const [updated] = await trx
    .from('erp_invoices')
    .where('id', invoice.id)
    .update({ amount: invoice.amount, status, updated_at: new Date() })
    .returning('*')
  await recordAudit(trx, {
    actor: credit.actor,
    action: 'erp.invoices.credit',
    resource: 'erp.invoices',
    resource_id: String(invoice.id),
    data: {
      source: credit.source,
      amount: credit.amount,
      reason: credit.reason,
      line_id: String(line.id),
      balance,
      status: { before: invoice.status, after: status },
    },
  })
  await emitEvent(
    'erp.invoice.credited',
    {
      invoice_id: String(invoice.id),
      number: invoice.number,
      student_id: String(invoice.student_id),
      source: credit.source,
      amount: credit.amount,
      balance,
      status,
    },
    credit.actor
  )
  return { invoice: updated, line, balance }
}
