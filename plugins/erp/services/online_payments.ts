import { E_ERP_NOT_FOUND, E_INVOICE_CLOSED, E_OVERPAYMENT } from '../errors.js'
import { balanceOf, fineAsOf, paymentHooks } from './fees.js'
import {
  actorOf,
  emitEvent,
  latestCheckouts,
  onlinePaymentsEnabled,
  openCheckout,
  readTenantDb,
  registerPaymentPurpose,
  tenantToday,
  unmatchedCheckouts,
  withTenantDb,
  type PaymentSession,
  type Principal,
  type Trx,
} from '@oryne/sdk'

type Row = Record<string, any>

/*
 * Fees as the people who pay them see them: each invoice with the late fine
 * and balance of today, counted here once (the web app shows them, it does
 * not recount them), and paying one online at the school's card gateway
 * (core/payments): the payer is sent to the gateway's hosted page, and the
 * gateway's signed webhook records the payment (purpose `erp.invoice`).
 */

export const INVOICE_PURPOSE = 'erp.invoice'

/** Who may see and pay a student's invoices: the student, a guardian, or the fees office. */
async function assertPayer(principal: Principal, studentId: string) {
  if (principal.can('erp.payments.create')) {
    const exists = await readTenantDb((client, table) =>
      client.from(table('erp_students')).where('id', studentId).select('id').first()
    )
    if (exists) return
  } else if (principal.kind === 'user') {
    const found = await readTenantDb((client, table) =>
      client
        .from(table('erp_students'))
        .where('id', studentId)
        .where((own) =>
          own
            .where('user_id', principal.id)
            .orWhereIn(
              'id',
              client
                .from(table('erp_guardians'))
                .where('user_id', principal.id)
                .select('student_id')
            )
        )
        .select('id')
        .first()
    )
    if (found) return
  }
  // Someone else's child is not found, as the resource routes answer it.
  throw new E_ERP_NOT_FOUND(['Student', studentId])
}

/** The late fine charged, else the one the next payment would charge today. */
function fineToday(invoice: Row, today: string) {
  return Number(invoice.fine) || (invoice.status === 'paid' ? 0 : fineAsOf(invoice, today))
}

/**
 * An invoice as payers see it: amounts, today's `fine` and `balance`, whether
 * it can be paid online, and how the last online attempt ended
 * (`online_session`: `open`, `expired`, `completed`, else null).
 */
export function presentInvoice(
  invoice: Row,
  today: string,
  online: boolean,
  lastSession: string | null = null
) {
  const fine = fineToday(invoice, today)
  const open = invoice.status === 'open' || invoice.status === 'partially_paid'
  const balance = open ? Math.max(0, balanceOf({ ...invoice, fine })) : 0
  return {
    id: String(invoice.id),
    number: invoice.number,
    student_id: String(invoice.student_id),
    source: invoice.source,
    issued_on: invoice.issued_on,
    due_on: invoice.due_on,
    amount: Number(invoice.amount),
    discount: Number(invoice.discount ?? 0),
    fine,
    paid: Number(invoice.paid ?? 0),
    refunded: Number(invoice.refunded ?? 0),
    balance,
    status: invoice.status,
    payable_online: online && open && balance > 0,
    online_session: lastSession,
  }
}

/** How the last online attempt of each invoice ended. */
async function lastSessions(invoiceIds: string[]) {
  const latest = await latestCheckouts(INVOICE_PURPOSE, invoiceIds)
  return (id: string) => latest.get(id)?.status ?? null
}

const INVOICE_COLUMNS = [
  'id',
  'number',
  'student_id',
  'source',
  'issued_on',
  'due_on',
  'amount',
  'discount',
  'fine',
  'paid',
  'refunded',
  'late_fine_per_day',
  'late_fine_cap',
  'status',
]

/**
 * A student's invoices, newest due date first, with today's fine and balance;
 * without `studentId`, those of every student the user is or is a guardian of.
 */
export async function studentInvoices(principal: Principal, studentId?: string) {
  if (studentId) await assertPayer(principal, studentId)
  const [rows, online] = await Promise.all([
    readTenantDb((client, table) => {
      const query = client
        .from(table('erp_invoices'))
        .orderBy('due_on', 'desc')
        .orderBy('id', 'desc')
        .limit(200)
        .select(INVOICE_COLUMNS)
      if (studentId) return query.where('student_id', studentId)
      if (principal.kind !== 'user') return query.whereRaw('false')
      return query.whereIn('student_id', (own) =>
        own
          .from(table('erp_students'))
          .where('user_id', principal.id)
          .select('id')
          .union((children) =>
            children
              .from(table('erp_guardians'))
              .where('user_id', principal.id)
              .select('student_id')
          )
      )
    }),
    onlinePaymentsEnabled(),
  ])
  const today = tenantToday()
  const last = await lastSessions(rows.map((row) => String(row.id)))
  return rows.map((row) => presentInvoice(row, today, online, last(String(row.id))))
}

async function findInvoice(invoiceId: string) {
  const invoice = await readTenantDb((client, table) =>
    client.from(table('erp_invoices')).where('id', invoiceId).select(INVOICE_COLUMNS).first()
  )
  if (!invoice) throw new E_ERP_NOT_FOUND(['Invoice', invoiceId])
  return invoice
}

/** One invoice with today's fine and balance, for its payers. */
export async function payerInvoice(principal: Principal, invoiceId: string) {
  const invoice = await findInvoice(invoiceId)
  await assertPayer(principal, String(invoice.student_id)).catch(() => {
    throw new E_ERP_NOT_FOUND(['Invoice', invoiceId])
  })
  const last = await lastSessions([String(invoice.id)])
  return presentInvoice(
    invoice,
    tenantToday(),
    await onlinePaymentsEnabled(),
    last(String(invoice.id))
  )
}

/**
 * Opens a checkout session for what is left to pay on an invoice today (the
 * late fine the payment will charge included) and answers the gateway's
 * address. The invoice row stays locked during the call to the gateway, so
 * a second request for it waits; the same Idempotency-Key gives the same session.
 */
export async function payInvoiceOnline(
  principal: Principal,
  invoiceId: string,
  idempotencyKey?: string | null
) {
  const found = await findInvoice(invoiceId)
  await assertPayer(principal, String(found.student_id)).catch(() => {
    throw new E_ERP_NOT_FOUND(['Invoice', invoiceId])
  })
  return withTenantDb(async (trx) => {
    const invoice = await trx.from('erp_invoices').where('id', invoiceId).forUpdate().first()
    const view = presentInvoice(invoice, tenantToday(), true)
    if (!view.payable_online) throw new E_INVOICE_CLOSED([invoice.number, invoice.status])
    const session = await openCheckout(trx, {
      purpose: INVOICE_PURPOSE,
      reference: String(invoice.id),
      amount: view.balance,
      returnPath: `/app/erp/invoices/${invoice.id}/paid`,
      actor: actorOf(principal),
      idempotencyKey,
    })
    return { invoice_id: view.id, amount: view.balance, redirect_url: session.url }
  })
}

/**
 * The gateway says a session for an invoice was paid: record an ERP payment
 * (method `online`, the session as its reference) through the same hooks as
 * the fees desk (late fine charged, receipt numbered, invoice status). A paid
 * or cancelled invoice, or an amount above what is left, records nothing
 * (outcome `invoice_closed`, `amount_over_balance`; the session is
 * `unmatched`): the fees office is told and refunds it at the gateway.
 */
async function recordOnlinePayment(
  trx: Trx,
  session: PaymentSession,
  eventId: string
): Promise<string | { unmatched: string }> {
  const invoice = await trx.from('erp_invoices').where('id', session.reference).first()
  if (!invoice) return 'invoice_not_found'
  let payment: Row
  try {
    // A savepoint: a refused payment leaves no late fine charged behind it.
    payment = await trx.transaction(async (inner) => {
      const data: Record<string, unknown> = {
        invoice_id: invoice.id,
        amount: session.amount,
        method: 'online',
        reference: session.external_id.slice(0, 120),
      }
      await paymentHooks.beforeCreate(data, { trx: inner })
      const [row] = await inner.insertQuery().table('erp_payments').insert(data).returning('*')
      await paymentHooks.afterCreate(row, { trx: inner })
      return row
    })
  } catch (error) {
    const refused =
      error instanceof E_INVOICE_CLOSED
        ? 'invoice_closed'
        : error instanceof E_OVERPAYMENT
          ? 'amount_over_balance'
          : null
    if (!refused) throw error
    // Money the gateway took and the invoice cannot take: the fees office is told, to refund it.
    await emitEvent(
      'erp.invoice.online_payment_unmatched',
      {
        invoice_id: String(invoice.id),
        invoice_number: invoice.number,
        session_id: session.external_id,
        amount: session.amount,
        outcome: refused,
        event_id: eventId,
      },
      'erp:online-payments'
    )
    return { unmatched: refused }
  }
  const after = await trx.from('erp_invoices').where('id', invoice.id).first()
  await emitEvent(
    'erp.invoice.paid_online',
    {
      invoice_id: String(invoice.id),
      invoice_number: invoice.number,
      student_id: String(invoice.student_id),
      payment_id: String(payment.id),
      receipt_no: payment.receipt_no,
      amount: session.amount,
      status: after.status,
      event_id: eventId,
    },
    'erp:online-payments'
  )
  return after.status === 'paid' ? 'invoice_paid' : 'invoice_partially_paid'
}

/** A session for an invoice expired unpaid: the payer who opened it is told they can pay again. */
async function onlinePaymentExpired(trx: Trx, session: PaymentSession, eventId: string) {
  const invoice = await trx.from('erp_invoices').where('id', session.reference).first()
  if (!invoice) return
  await emitEvent(
    'erp.invoice.online_payment_expired',
    {
      invoice_id: String(invoice.id),
      invoice_number: invoice.number,
      student_id: String(invoice.student_id),
      payer: session.created_by,
      event_id: eventId,
    },
    'erp:online-payments'
  )
}

registerPaymentPurpose(INVOICE_PURPOSE, {
  paid: recordOnlinePayment,
  expired: onlinePaymentExpired,
})

/** Online payments taken that no invoice recorded, newest first: for the fees office to refund. */
export async function unmatchedOnlinePayments() {
  const rows = await unmatchedCheckouts(INVOICE_PURPOSE)
  const numbers = await readTenantDb((client, table) =>
    client
      .from(table('erp_invoices'))
      .whereIn(
        'id',
        rows.map((row) => row.reference)
      )
      .select('id', 'number')
  )
  const numberOf = new Map(numbers.map((row) => [String(row.id), row.number]))
  return rows.map((row) => ({
    session_id: row.external_id,
    invoice_id: row.reference,
    invoice_number: numberOf.get(row.reference) ?? null,
    amount: Number(row.amount),
    currency: row.currency,
    outcome: row.outcome,
    paid_by: row.created_by,
    at: row.updated_at,
  }))
}
