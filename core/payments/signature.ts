import { createHmac, timingSafeEqual } from 'node:crypto'
import { E_PAYMENT_WEBHOOK_SIGNATURE, E_PAYMENT_WEBHOOK_STALE } from './errors.js'

/** The header the card gateway signs its webhooks in: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const GATEWAY_SIGNATURE_HEADER = 'gateway-signature'

/** HMAC-SHA256 of `timestamp + '.' + rawBody` with the webhook secret, as hex. */
export function signGatewayPayload(secret: string, timestamp: number, rawBody: string) {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
}

/**
 * Checks a gateway webhook's signature header against its raw body: the
 * signature first (E_PAYMENT_WEBHOOK_SIGNATURE), then the timestamp, which the
 * signature covers, within `toleranceSeconds` of now (E_PAYMENT_WEBHOOK_STALE),
 * so that a captured request cannot be replayed later. Several v1 entries are
 * accepted (the gateway signs with old and new secrets while one is rotated).
 */
export function verifyGatewaySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  toleranceSeconds: number,
  now = Date.now()
) {
  const parts = (header ?? '').split(',').map((part) => part.trim().split('='))
  const timestamp = Number(parts.find(([name]) => name === 't')?.[1])
  const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '')
  if (!Number.isSafeInteger(timestamp) || !signatures.length || !secret) {
    throw new E_PAYMENT_WEBHOOK_SIGNATURE()
  }
  // Compared as hex text: decoding would forgive an odd trailing digit or stray characters.
  const expected = Buffer.from(signGatewayPayload(secret, timestamp, rawBody))
  const matches = signatures.some((signature) => {
    const given = Buffer.from(signature.toLowerCase())
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
  if (!matches) throw new E_PAYMENT_WEBHOOK_SIGNATURE()
  const skew = Math.abs(Math.round(now / 1000) - timestamp)
  if (skew > toleranceSeconds) throw new E_PAYMENT_WEBHOOK_STALE([skew, toleranceSeconds])
  return timestamp
}
