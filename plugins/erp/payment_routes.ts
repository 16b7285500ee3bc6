import { E_ERP_NOT_FOUND, E_INVOICE_CLOSED } from './errors.js'
import {
  payerInvoice,
  payInvoiceOnline,
  studentInvoices,
  unmatchedOnlinePayments,
} from './services/online_payments.js'
import {
  authorize,
  E_FORBIDDEN,
  E_VALIDATION,
  paymentErrors,
  respond,
  vine,
  type HttpContext,
  type OperationDoc,
  type Router,
} from '@oryne/sdk'

/*
 * Fees for the people who pay them (docs/web.md, "ERP pages"): a student's
 * invoices with today's fine and balance, and paying one online through the
 * school's card gateway (core/payments; the gateway's webhook records the
 * payment, services/online_payments.ts).
 */

type Schema = NonNullable<OperationDoc['data']>

const ID = /^\d{1,18}$/

const studentQuery = vine.compile(
  vine.object({ student_id: vine.string().trim().regex(ID).optional() })
)

/** A path id; anything but digits is not found, as the resource routes answer it. */
function invoiceParam(ctx: HttpContext) {
  const value = String(ctx.params.id)
  if (!ID.test(value)) throw new E_ERP_NOT_FOUND(['Invoice', value.slice(0, 40)])
  return value
}

function idempotencyKey(ctx: HttpContext) {
  const key = ctx.request.header('idempotency-key')
  if (key === undefined) return null
  if (!/^[\x21-\x7e]{1,255}$/.test(key))
    throw new E_VALIDATION([], {
      details: [
        {
          field: 'Idempotency-Key',
          rule: 'format',
          message: 'Send 1 to 255 visible ASCII characters',
        },
      ],
    })
  return key
}

const money: Schema = { type: 'integer', description: 'minor units of the tenant’s currency' }
export const payerInvoiceSchema: Schema = {
  type: 'object',
  required: [
    'id',
    'number',
    'student_id',
    'due_on',
    'amount',
    'fine',
    'balance',
    'status',
    'payable_online',
  ],
  properties: {
    id: { type: 'string' },
    number: { type: 'string' },
    student_id: { type: 'string' },
    source: { type: 'string' },
    issued_on: { type: 'string', format: 'date' },
    due_on: { type: 'string', format: 'date' },
    amount: money,
    discount: money,
    fine: {
      ...money,
      description: 'the late fine charged, else the one a payment today would charge',
    },
    paid: money,
    refunded: money,
    balance: {
      ...money,
      description: 'what is left to pay today, the late fine included; 0 once paid or cancelled',
    },
    status: { type: 'string', enum: ['open', 'partially_paid', 'paid', 'cancelled'] },
    payable_online: {
      type: 'boolean',
      description: 'something is left to pay and the school takes card payments',
    },
    online_session: {
      type: ['string', 'null'],
      enum: ['open', 'completed', 'expired', null],
      description:
        'how the last online payment ended: open (at the gateway), completed, expired (unpaid: pay again); null when none was started',
    },
  },
}

export function erpPaymentRoutes(router: Router) {
  router
    .get('/fees/invoices', async (ctx) => {
      const principal = await authorize(ctx, 'erp.invoices.read')
      const query = await studentQuery.validate(ctx.request.qs())
      respond(ctx, await studentInvoices(principal, query.student_id))
    })
    .describe({
      summary: 'A student’s invoices with today’s late fine and balance',
      description:
        'With `student_id`: for the student, a guardian of theirs, or the fees office (erp.payments.create); anyone else: 404. Without: the invoices of every student the user is or is a guardian of (newest 200). The fine and balance are counted by the server as of today in the school’s time zone (the fine a payment today would charge), so clients do not recount them.',
      query: studentQuery,
      data: { type: 'array', items: payerInvoiceSchema },
      errors: [E_ERP_NOT_FOUND, E_VALIDATION],
    })

  router
    .get('/fees/invoices/:id', async (ctx) => {
      const principal = await authorize(ctx, 'erp.invoices.read')
      respond(ctx, await payerInvoice(principal, invoiceParam(ctx)))
    })
    .describe({
      summary: 'One invoice with today’s late fine and balance',
      description: 'For the student, a guardian of theirs, or the fees office; anyone else: 404.',
      data: payerInvoiceSchema,
      errors: [E_ERP_NOT_FOUND],
    })

  router
    .post('/invoices/:id/pay-online', async (ctx) => {
      const principal = await authorize(ctx, 'erp.invoices.read')
      const key = idempotencyKey(ctx)
      respond(ctx, await payInvoiceOnline(principal, invoiceParam(ctx), key))
    })
    .describe({
      summary: 'Pay an invoice online: a checkout session at the school’s card gateway',
      description:
        'By the student or a guardian of theirs (anyone else: 404). Opens a hosted checkout session for the balance of today and answers its address (`redirect_url`); the payer comes back to /app/erp/invoices/{id}/paid. The gateway’s signed webhook (POST /api/v1/payments/webhooks/card) records the payment. The same Idempotency-Key gives the same session.',
      data: {
        type: 'object',
        required: ['invoice_id', 'amount', 'redirect_url'],
        properties: {
          invoice_id: { type: 'string' },
          amount: money,
          redirect_url: { type: 'string' },
        },
      },
      errors: [
        E_ERP_NOT_FOUND,
        E_INVOICE_CLOSED,
        paymentErrors.E_PAYMENT_PROVIDER_NOT_CONFIGURED,
        paymentErrors.E_PAYMENT_PROVIDER_UNAVAILABLE,
        E_VALIDATION,
      ],
    })

  router
    .get('/fees/unmatched-payments', async (ctx) => {
      await authorize(ctx, 'erp.payments.create')
      respond(ctx, await unmatchedOnlinePayments())
    })
    .describe({
      summary: 'Online payments the gateway took that no invoice recorded',
      description:
        'For the fees office (erp.payments.create): card payments refused after the gateway took the money (outcome `invoice_closed`: the invoice was paid or cancelled meanwhile; `amount_over_balance`), newest first (200). Refund each at the gateway; the fees office is also notified (erp.online_payment_unmatched).',
      data: {
        type: 'array',
        items: {
          type: 'object',
          required: ['session_id', 'invoice_id', 'amount', 'currency', 'outcome', 'at'],
          properties: {
            session_id: { type: 'string' },
            invoice_id: { type: 'string' },
            invoice_number: { type: ['string', 'null'] },
            amount: money,
            currency: { type: 'string' },
            outcome: { type: 'string', enum: ['invoice_closed', 'amount_over_balance'] },
            paid_by: { type: 'string', description: 'who opened the session (`user:<id>`)' },
            at: { type: 'string', format: 'date-time' },
          },
        },
      },
      errors: [E_FORBIDDEN],
    })
}
