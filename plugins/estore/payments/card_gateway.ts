import { isOutboundError, outboundJson } from '@oryne/sdk'
import { E_PROVIDER_NOT_CONFIGURED, E_PROVIDER_UNAVAILABLE } from '../errors.js'
import { type EstoreSettings } from '../settings.js'

/*
 * The client of a card gateway that follows the common hosted-checkout
 * pattern: the store creates a checkout session by an authenticated POST
 * (with an Idempotency-Key, so that a retried request never opens a second
 * session), sends the customer to the session's URL, and learns the outcome
 * from a signed webhook (routes.ts, services/webhooks.ts).
 */

export type CardGatewayConfig = { url: string; apiKey: string; webhookSecret: string }

/** The gateway of the current tenant: its settings, else the ESTORE_CARD_* environment. */
export function cardGatewayConfig(settings: EstoreSettings): CardGatewayConfig {
  const config = {
    url: (settings.card_api_url || process.env.ESTORE_CARD_API_URL || '').replace(/\/+$/, ''),
    apiKey: settings.card_api_key || process.env.ESTORE_CARD_API_KEY || '',
    webhookSecret: settings.card_webhook_secret || process.env.ESTORE_CARD_WEBHOOK_SECRET || '',
  }
  return config
}

function assertConfigured(config: CardGatewayConfig) {
  if (!config.url || !config.apiKey) throw new E_PROVIDER_NOT_CONFIGURED(['card'])
}

/** A checkout session or a refund is a few hundred bytes; anything near this is not the gateway. */
const MAX_ANSWER_BYTES = 64 * 1024

/**
 * One call through the SDK's outbound client (address checks, no redirects,
 * its time limit — ORYNE_OUTBOUND_TIMEOUT_MS, 10 s by default — and a size limit). Whatever fails reaches the customer as
 * ERR_ESTORE_PROVIDER_UNAVAILABLE with the upstream code in `details`, never
 * with what the gateway answered (the client logs that).
 */
async function post<T>(
  config: CardGatewayConfig,
  path: string,
  body: unknown,
  idempotencyKey: string
): Promise<T> {
  assertConfigured(config)
  try {
    const { data } = await outboundJson<T>({
      service: 'card gateway',
      url: `${config.url}${path}`,
      method: 'POST',
      headers: {
        'Authorization': `Bearer ${config.apiKey}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey,
      },
      body: JSON.stringify(body),
      maxResponseBytes: MAX_ANSWER_BYTES,
    })
    if (typeof data !== 'object' || data === null) throw new Error('not an object')
    return data
  } catch (error) {
    if (!isOutboundError(error))
      throw new E_PROVIDER_UNAVAILABLE(['card', 'the gateway answered an unexpected document'], {
        details: { upstream: 'ERR_UPSTREAM_INVALID_RESPONSE' },
        cause: error,
      })
    throw new E_PROVIDER_UNAVAILABLE(['card', lowerFirst(error.message)], {
      details: { upstream: error.code },
      cause: error,
    })
  }
}

function lowerFirst(text: string) {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

export type CheckoutSession = { id: string; url: string; status: string; amount: number }

/** Opens a hosted checkout session for an order. */
export function createCheckoutSession(
  config: CardGatewayConfig,
  input: {
    amount: number
    currency: string
    reference: string
    returnUrl: string
    metadata: Record<string, string>
  },
  idempotencyKey: string
) {
  return post<CheckoutSession>(
    config,
    '/v1/checkout/sessions',
    {
      amount: input.amount,
      currency: input.currency,
      reference: input.reference,
      success_url: input.returnUrl,
      metadata: input.metadata,
    },
    idempotencyKey
  )
}

/** Gives back `amount` of a paid session. */
export function refundSession(
  config: CardGatewayConfig,
  sessionId: string,
  amount: number,
  idempotencyKey: string
) {
  return post<{ id: string; status: string }>(
    config,
    '/v1/refunds',
    { session: sessionId, amount },
    idempotencyKey
  )
}
