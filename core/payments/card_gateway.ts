import { isOutboundError, outboundJson } from '../outbound/client.js'
import { E_PAYMENT_PROVIDER_NOT_CONFIGURED, E_PAYMENT_PROVIDER_UNAVAILABLE } from './errors.js'
import type { CardGatewayConfig } from './config.js'

/*
 * The client of a card gateway that follows the common hosted-checkout
 * pattern: Oryne creates a checkout session by an authenticated POST (with an
 * Idempotency-Key, so that a retried request never opens a second session),
 * sends the payer to the session's URL, and learns the outcome from a signed
 * webhook (signature.ts, webhook.ts).
 */

/** A checkout session or a refund is a few hundred bytes; anything near this is not the gateway. */
const MAX_ANSWER_BYTES = 64 * 1024

export function assertConfigured(config: CardGatewayConfig) {
  if (!config.url || !config.apiKey) throw new E_PAYMENT_PROVIDER_NOT_CONFIGURED(['card'])
}

function lowerFirst(text: string) {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/**
 * One call through the outbound client (address checks, no redirects, its
 * time limit and a size limit). Whatever fails reaches the payer as
 * ERR_PAYMENT_PROVIDER_UNAVAILABLE with the upstream code in `details`, never
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
      throw new E_PAYMENT_PROVIDER_UNAVAILABLE(
        ['card', 'the gateway answered an unexpected document'],
        {
          details: { upstream: 'ERR_UPSTREAM_INVALID_RESPONSE' },
          cause: error,
        }
      )
    throw new E_PAYMENT_PROVIDER_UNAVAILABLE(['card', lowerFirst(error.message)], {
      details: { upstream: error.code },
      cause: error,
    })
  }
}

export type CheckoutSession = { id: string; url: string; status: string; amount: number }

/** Opens a hosted checkout session. */
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
