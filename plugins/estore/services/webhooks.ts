import { cardGatewayConfig, ORDER_PURPOSE } from '../payments/card_gateway.js'
import { verifySignature } from '../payments/signature.js'
import { estoreSettings } from '../settings.js'
import { markPaid } from './orders.js'
import {
  expireCheckout,
  parseGatewayEvent,
  registerPaymentPurpose,
  withTenantDb,
  type GatewayEvent,
  type Trx,
} from '@oryne/sdk'

/**
 * A card session of an order was paid `amount`: the order is paid (its
 * receipt numbered, the stock kept), unless the amount is not its total or
 * the order moved on meanwhile (paid after its reservation was released: kept
 * for staff to refund). A session already recorded as paid changes nothing,
 * whichever webhook route brought it first.
 */
async function payOrderSession(trx: Trx, sessionId: string, amount: number): Promise<string> {
  const payment = await trx
    .from('estore_payments')
    .where({ provider: 'card', external_id: sessionId })
    .first()
  if (!payment) return 'unknown_session'
  if (payment.status === 'succeeded') return 'already_recorded'
  const order = await trx.from('estore_orders').where('id', payment.order_id).forUpdate().first()
  if (amount !== Number(order.total)) return 'amount_mismatch'
  if (order.status !== 'placed') {
    await trx
      .from('estore_payments')
      .where('id', payment.id)
      .update({ status: 'succeeded', reference: 'late payment', updated_at: new Date() })
    return `order_${order.status}`
  }
  await markPaid(trx, order, {
    provider: 'card',
    amount,
    externalId: sessionId,
    actor: 'estore:card-gateway',
  })
  return 'order_paid'
}

/* The school's card webhook (POST /api/v1/payments/webhooks/card) hands order sessions back here. */
registerPaymentPurpose(ORDER_PURPOSE, {
  paid: (trx, session) => payOrderSession(trx, session.external_id, session.amount),
})

/** What one event does; the outcome is stored with the event. */
async function apply(trx: Trx, event: GatewayEvent): Promise<string> {
  const sessionId = event.data.object.id
  const payment = await trx
    .from('estore_payments')
    .where({ provider: 'card', external_id: sessionId })
    .first()
  if (!payment) return 'unknown_session'
  if (event.type === 'checkout.session.expired') {
    await trx
      .from('estore_payments')
      .where({ id: payment.id, status: 'pending' })
      .update({ status: 'failed', updated_at: new Date() })
    // Core's record of the session too: the next press opens a new one.
    await expireCheckout(trx, sessionId)
    return 'payment_failed'
  }
  if (event.type !== 'checkout.session.completed') return 'ignored'
  return payOrderSession(trx, sessionId, Number(event.data.object.amount))
}

/**
 * A webhook of the card gateway: the signature is checked over the raw body
 * (services must not re-serialise it), then the event is stored under its id
 * in the same transaction as its effect, so that a redelivered or replayed
 * event changes nothing the second time.
 */
export async function receiveCardWebhook(rawBody: string, signature: string | undefined) {
  const settings = await estoreSettings()
  const { webhookSecret } = await cardGatewayConfig(settings)
  verifySignature(signature, rawBody, webhookSecret, settings.webhook_tolerance_seconds)
  const event = parseGatewayEvent(rawBody)
  return withTenantDb(async (trx) => {
    const { rows } = await trx.rawQuery(
      `INSERT INTO estore_webhook_events (event_id, type, payload, outcome)
       VALUES (?, ?, ?, 'received') ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [event.id, event.type.slice(0, 100), rawBody]
    )
    if (!rows.length) {
      const stored = await trx.from('estore_webhook_events').where('event_id', event.id).first()
      return { event_id: event.id, duplicate: true, outcome: stored.outcome }
    }
    const outcome = await apply(trx, event)
    await trx.from('estore_webhook_events').where('event_id', event.id).update({ outcome })
    return { event_id: event.id, duplicate: false, outcome }
  })
}
