import { createHmac, timingSafeEqual } from 'node:crypto'
import { signingKey } from '../../sdk/services.js'

/*
 * The token a public form hands out when it is opened: which form of which
 * tenant, and when it was opened, signed with a key derived from APP_KEY for
 * this purpose alone. A submission must bring it back: not older than
 * FORM_TOKEN_TTL_MS, and not younger than the form's minimum fill time (a
 * person takes seconds to fill a form in; a script does not).
 */

/** How long an opened form may be sent (a long form filled in slowly still fits). */
export const FORM_TOKEN_TTL_MS = 2 * 60 * 60 * 1000
/** Clocks of several servers may disagree a little. */
const SKEW_MS = 5_000

function sign(payload: string) {
  return createHmac('sha256', signingKey('collection_forms')).update(payload).digest('base64url')
}

/** A token for form `formId` of tenant `tenantId`, opened at `issuedAt` (ms). */
export function formToken(tenantId: string, formId: string, issuedAt = Date.now()) {
  const payload = Buffer.from(JSON.stringify({ t: tenantId, f: formId, i: issuedAt })).toString(
    'base64url'
  )
  return { token: `${payload}.${sign(payload)}`, expiresAt: new Date(issuedAt + FORM_TOKEN_TTL_MS) }
}

export type TokenCheck =
  { ok: true; issuedAt: number } | { ok: false; reason: 'invalid' | 'expired' }

/**
 * Whether `token` is one formToken made for this form of this tenant, in time.
 * The signature is compared as the text this server writes: base64url
 * decoding forgives padding and unused bits, which would give one token
 * several accepted spellings.
 */
export function checkFormToken(
  token: string,
  tenantId: string,
  formId: string,
  now = Date.now()
): TokenCheck {
  const [payload, signature, ...rest] = token.split('.')
  if (!payload || !signature || rest.length) return { ok: false, reason: 'invalid' }
  const expected = Buffer.from(sign(payload))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'invalid' }
  let claims: { t?: unknown; f?: unknown; i?: unknown }
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return { ok: false, reason: 'invalid' }
  }
  if (claims?.t !== tenantId || claims.f !== formId || typeof claims.i !== 'number')
    return { ok: false, reason: 'invalid' }
  if (claims.i > now + SKEW_MS) return { ok: false, reason: 'invalid' }
  if (now - claims.i > FORM_TOKEN_TTL_MS) return { ok: false, reason: 'expired' }
  return { ok: true, issuedAt: claims.i }
}
