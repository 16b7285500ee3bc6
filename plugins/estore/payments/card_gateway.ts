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

const TIMEOUT_MS = 10_000

async function post<T>(
  config: CardGatewayConfig,
  path: string,
  body: unknown,
  idempotencyKey: string
): Promise<T> {
  assertConfigured(config)
  let response: Response
  try {
    response = await fetch(`${config.url}${path}`, {
      method: 'POST',
      headers: {
        'Authorization': `Bearer ${config.apiKey}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
  } catch (error) {
    throw new E_PROVIDER_UNAVAILABLE(['card', (error as Error).message], { cause: error })
  }
  const text = await response.text()
  if (!response.ok) {
    throw new E_PROVIDER_UNAVAILABLE(['card', `HTTP ${response.status} ${text.slice(0, 200)}`])
  }
  return JSON.parse(text) as T
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
