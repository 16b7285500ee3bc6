import { paymentErrors, verifyGatewaySignature } from '@oryne/sdk'
import { E_WEBHOOK_SIGNATURE, E_WEBHOOK_STALE } from '../errors.js'

/**
 * Checks a webhook's signature header against its raw body with core's check
 * (core/payments/signature.ts), answering the e-store's own codes:
 * ERR_ESTORE_WEBHOOK_SIGNATURE, ERR_ESTORE_WEBHOOK_STALE.
 */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  toleranceSeconds: number
) {
  try {
    return verifyGatewaySignature(header, rawBody, secret, toleranceSeconds)
  } catch (error) {
    if (error instanceof paymentErrors.E_PAYMENT_WEBHOOK_STALE) {
      const [skew] = /\d+/.exec((error as Error).message) ?? ['0']
      throw new E_WEBHOOK_STALE([Number(skew), toleranceSeconds], { cause: error })
    }
    if (error instanceof paymentErrors.E_PAYMENT_WEBHOOK_SIGNATURE)
      throw new E_WEBHOOK_SIGNATURE([], { cause: error })
    throw error
  }
}

/** The header the card gateway signs in, and how it signs (core's). */
export {
  GATEWAY_SIGNATURE_HEADER as SIGNATURE_HEADER,
  signGatewayPayload as signPayload,
} from '@oryne/sdk'
