import { randomUUID } from 'node:crypto'
import { SignJWT, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose'
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

/** Signs and verifies access JWTs (HS256, `kid` in the header) with the keys of ORYNE_JWT_KEYS. */
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
    const ring = this.keys()
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid ? ring.byKid.get(header.kid) : undefined
          if (!key) throw invalidToken()
          return key.secret
        },
        {
          algorithms: [ALGORITHM],
          currentDate: this.now(),
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        }
      )
      if (!isClaims(payload)) throw invalidToken()
      return payload
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new E_AUTH_TOKEN_EXPIRED()
      if (error instanceof joseErrors.JOSEError) throw invalidToken()
      throw error
    }
  }
}
