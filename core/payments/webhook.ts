import { E_VALIDATION } from '../errors.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { cardGatewayConfig, WEBHOOK_TOLERANCE_SECONDS } from './config.js'
import { paymentPurpose, type PaymentSession } from './purposes.js'
import { verifyGatewaySignature } from './signature.js'

/** An event of the card gateway (the part Oryne reads). */
export type GatewayEvent = {
  id: string
  type: string
  created?: number
  data: { object: { id: string; amount?: number; metadata?: Record<string, string> } }
}

function invalid(rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field: 'body', rule, message }] })
}

/** The event in a webhook's raw body; ERR_VALIDATION when it is not one. */
export function parseGatewayEvent(rawBody: string): GatewayEvent {
  let event: GatewayEvent
  try {
    event = JSON.parse(rawBody)
  } catch {
    throw invalid('json', 'The webhook body is not JSON')
  }
  const valid =
    event &&
    typeof event.id === 'string' &&
    event.id.length > 0 &&
    event.id.length <= 200 &&
    typeof event.type === 'string' &&
    typeof event.data?.object?.id === 'string'
  if (!valid) throw invalid('event', 'The webhook body is not a gateway event')
  return event
}

/**
 * A webhook of the card gateway, for sessions opened with openCheckout: the
 * signature is checked over the raw body with the tenant's webhook secret,
 * then the event is stored under its id in the same transaction as its
 * effect, so that a redelivered or replayed event changes nothing the second
 * time. The session is looked up in this tenant only: an event of another
 * tenant's session is `unknown_session` and pays nothing. A completed session
 * whose amount differs from the one opened is `amount_mismatch`.
 */
export async function receivePaymentWebhook(rawBody: string, signature: string | undefined) {
  const { webhookSecret } = await cardGatewayConfig()
  verifyGatewaySignature(signature, rawBody, webhookSecret, WEBHOOK_TOLERANCE_SECONDS)
  const event = parseGatewayEvent(rawBody)
  return withTenantDb(async (trx) => {
    const { rows } = await trx.rawQuery(
      `INSERT INTO payment_events (event_id, type, session_id, payload, outcome)
       VALUES (?, ?, ?, ?, 'received') ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [event.id, event.type.slice(0, 100), event.data.object.id.slice(0, 200), rawBody]
    )
    if (!rows.length) {
      const stored = await trx.from('payment_events').where('event_id', event.id).first()
      return { event_id: event.id, duplicate: true, outcome: stored.outcome as string }
    }
    const outcome = await apply(trx, event)
    await trx.from('payment_events').where('event_id', event.id).update({ outcome })
    return { event_id: event.id, duplicate: false, outcome }
  })
}

async function apply(trx: any, event: GatewayEvent): Promise<string> {
  const row = await trx
    .from('payment_sessions')
    .where({ provider: 'card', external_id: event.data.object.id })
    .forUpdate()
    .first()
  if (!row) return 'unknown_session'
  const session: PaymentSession = { ...row, id: String(row.id), amount: Number(row.amount) }
  const settle = (status: string, outcome: string) =>
    trx
      .from('payment_sessions')
      .where('id', row.id)
      .update({ status, outcome, updated_at: new Date() })
      .then(() => outcome)
  if (event.type === 'checkout.session.expired') {
    if (session.status !== 'open') return 'ignored'
    await settle('expired', 'session_expired')
    await paymentPurpose(session.purpose)?.expired?.(
      trx,
      { ...session, status: 'expired' },
      event.id
    )
    return 'session_expired'
  }
  if (event.type !== 'checkout.session.completed') return 'ignored'
  if (session.status !== 'open') return `session_${session.status}`
  if (Number(event.data.object.amount) !== session.amount) return 'amount_mismatch'
  const purpose = paymentPurpose(session.purpose)
  if (!purpose) return 'unknown_purpose'
  const result = await purpose.paid(trx, session, event.id)
  if (typeof result === 'string') return settle('completed', result)
  return settle('unmatched', result.unmatched)
}
