import {
  cardGatewayConfig as tenantGateway,
  openCheckout,
  type OryneError,
  paymentErrors,
  refundSession as refundAtGateway,
  type CardGatewayConfig,
} from '@oryne/sdk'
import { E_PROVIDER_NOT_CONFIGURED, E_PROVIDER_UNAVAILABLE } from '../errors.js'
import { type EstoreSettings } from '../settings.js'

/*
 * The e-store's card payments go through core's card gateway client
 * (core/payments, `@oryne/sdk`): the hosted checkout session, refunds and the
 * webhook signature. The e-store keeps its own settings (`card_*`, else the
 * ESTORE_CARD_* environment), which win over the institution's gateway
 * (PUT /api/v1/admin/payments/card), and its documented error codes.
 */

export type { CardGatewayConfig }

/** The gateway of the current tenant: the e-store's settings, else the institution's. */
export function cardGatewayConfig(settings: EstoreSettings): Promise<CardGatewayConfig> {
  return tenantGateway({
    url: settings.card_api_url || process.env.ESTORE_CARD_API_URL,
    apiKey: settings.card_api_key || process.env.ESTORE_CARD_API_KEY,
    webhookSecret: settings.card_webhook_secret || process.env.ESTORE_CARD_WEBHOOK_SECRET,
  })
}

/** Core's payment errors under the e-store's own codes (its API promised those). */
async function asEstoreError<T>(call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    if (error instanceof paymentErrors.E_PAYMENT_PROVIDER_NOT_CONFIGURED)
      throw new E_PROVIDER_NOT_CONFIGURED(['card'], { cause: error })
    if (error instanceof paymentErrors.E_PAYMENT_PROVIDER_UNAVAILABLE) {
      const reason = (error as OryneError).message.replace(/^.*? failed: /, '')
      throw new E_PROVIDER_UNAVAILABLE(['card', reason], {
        details: (error as OryneError).details,
        cause: error,
      })
    }
    throw error
  }
}

/** What an order's card session pays for: the school's card webhook hands its events back to the e-store. */
export const ORDER_PURPOSE = 'estore.order'

/** Opens a hosted checkout session for an order, recorded with core's sessions (purpose `estore.order`). */
export function openOrderCheckout(...args: Parameters<typeof openCheckout>) {
  return asEstoreError(openCheckout(...args))
}

/** Gives back `amount` of a paid session. */
export function refundSession(...args: Parameters<typeof refundAtGateway>) {
  return asEstoreError(refundAtGateway(...args))
}
