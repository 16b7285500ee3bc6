import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { SignJWT, type JWTPayload } from 'jose'
import { E_AUTH_INVALID_TOKEN, E_AUTH_TOKEN_EXPIRED } from '../errors.js'
import type { JwtKeyRing } from './keys.js'

/** Access tokens live 15 minutes; refresh tokens renew them. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60

/** `tid` of tokens issued to platform users. */
export const PLATFORM_TID = 'platform'

/**
 * What an access token says: the user (`sub`), the tenant id or `platform`
 * (`tid`), the user's roles when it was issued, and the session (`sid`) whose
 * refresh tokens renew it, so that ending the session ends the token too.
 */
export type AccessClaims = {
  sub: string
  tid: string
  sid: string
  roles: string[]
  jti: string
  iat: number
  exp: number
}

const ALGORITHM = 'HS256'
const CLOCK_TOLERANCE_SECONDS = 5

const invalidToken = () =>
  new E_AUTH_INVALID_TOKEN([], { hint: 'Sign in again to get a new access token.' })

function isClaims(payload: JWTPayload): payload is JWTPayload & AccessClaims {
  return (
    typeof payload.sub === 'string' &&
    typeof payload.tid === 'string' &&
    typeof payload.sid === 'string' &&
    typeof payload.jti === 'string' &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number' &&
    Array.isArray(payload.roles) &&
    payload.roles.every((role) => typeof role === 'string')
  )
}

/** A JSON object from a base64url segment of a token, or null. */
function segment(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null
  } catch {
    return null
  }
}

/**
 * Signs and verifies access JWTs (HS256, `kid` in the header) with the keys of
 * ORYNE_JWT_KEYS. Signing goes through jose; verifying, which every signed-in
 * request does, is HMAC-SHA256 by node:crypto, synchronous: jose verifies
 * through WebCrypto, a job and a promise per call, which took 5% of the server
 * thread under the soak's mix (docs/benchmarks.md). It checks what jose was
 * asked to: algorithm HS256 only, a known `kid`, no `crit` header, the
 * signature (in constant time), then the claims, `exp` and `nbf` with 5 s of
 * tolerance.
 */
export class AccessTokens {
  constructor(
    private keys: () => JwtKeyRing,
    private now: () => Date
  ) {}

  async issue(subject: { sub: string; tid: string; sid: string; roles: string[] }) {
    const { signing } = this.keys()
    const iat = Math.floor(this.now().getTime() / 1000)
    const exp = iat + ACCESS_TOKEN_TTL_SECONDS
    const token = await new SignJWT({ tid: subject.tid, sid: subject.sid, roles: subject.roles })
      .setProtectedHeader({ alg: ALGORITHM, kid: signing.kid, typ: 'JWT' })
      .setSubject(subject.sub)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(signing.secret)
    return { token, expiresIn: ACCESS_TOKEN_TTL_SECONDS }
  }

  /** The token's claims; ERR_AUTH_TOKEN_EXPIRED or ERR_AUTH_INVALID_TOKEN otherwise. */
  async verify(token: string): Promise<AccessClaims> {
    const parts = token.split('.')
    if (parts.length !== 3) throw invalidToken()
    const [encodedHeader, encodedPayload, encodedSignature] = parts
    const header = segment(encodedHeader)
    if (!header || header.alg !== ALGORITHM || 'crit' in header || 'b64' in header)
      throw invalidToken()
    const key = typeof header.kid === 'string' ? this.keys().byKid.get(header.kid) : undefined
    if (!key) throw invalidToken()
    // Compared as text, not as decoded bytes: base64url decoding forgives padding, stray
    // characters and a last character's unused bits, so a token would have many spellings.
    const expected = Buffer.from(
      createHmac('sha256', key.secret)
        .update(`${encodedHeader}.${encodedPayload}`)
        .digest('base64url')
    )
    const given = Buffer.from(encodedSignature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidToken()

    const payload = segment(encodedPayload) as JWTPayload | null
    if (!payload || !isClaims(payload)) throw invalidToken()
    const now = Math.floor(this.now().getTime() / 1000)
    if (
      payload.nbf !== undefined &&
      !(typeof payload.nbf === 'number' && payload.nbf <= now + CLOCK_TOLERANCE_SECONDS)
    )
      throw invalidToken()
    if (payload.exp <= now - CLOCK_TOLERANCE_SECONDS) throw new E_AUTH_TOKEN_EXPIRED()
    return payload
  }
}
