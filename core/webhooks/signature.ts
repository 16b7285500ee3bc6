import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The `Oryne-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" with the endpoint's secret>`. The timestamp is signed so that a
 * receiver can refuse replays older than a few minutes.
 */
export const SIGNATURE_HEADER = 'Oryne-Signature'

export function signPayload(secret: string, timestamp: number, body: string) {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

export function signatureHeader(secret: string, body: string, now = Date.now()) {
  const timestamp = Math.floor(now / 1000)
  return `t=${timestamp},v1=${signPayload(secret, timestamp, body)}`
}

/**
 * What a receiver does (docs/webhooks.md shows the same in a few lines):
 * true when `header` signs `body` with `secret` and is at most `toleranceSeconds` old.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {}
) {
  const parts = Object.fromEntries(
    header.split(',').map((part) => {
      const at = part.indexOf('=')
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()]
    })
  )
  const timestamp = Number(parts.t)
  if (!Number.isSafeInteger(timestamp) || typeof parts.v1 !== 'string') return false
  const age = Math.abs((options.now ?? Date.now()) / 1000 - timestamp)
  if (age > (options.toleranceSeconds ?? 300)) return false
  const expected = Buffer.from(signPayload(secret, timestamp, body))
  const given = Buffer.from(parts.v1)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
