import type { HttpContext } from '@adonisjs/core/http'
import { symbols } from '@adonisjs/auth'
import type { AuthClientResponse, GuardConfigProvider, GuardContract } from '@adonisjs/auth/types'
import {
  E_AUTH_REQUIRED,
  E_AUTH_TENANT_MISMATCH,
  E_NO_TENANT_CONTEXT,
  OryneError,
} from '../errors.js'
import { PLATFORM_TID, type AccessClaims, type AccessTokens } from './access_tokens.js'
import type { Realm } from './realm.js'
import type { AuthUser } from './types.js'

/** What a guard needs of identity (core/auth/identity.ts), handed over when the guard is built. */
type GuardIdentity = { tokens: AccessTokens } & Record<AuthRealm, Pick<Realm, 'authenticate'>>

export type AuthRealm = 'tenant' | 'platform'

/** The bearer token of a request, if it has one. */
export function bearerToken(ctx: HttpContext) {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.request.header('authorization') ?? '')
  return match?.[1]
}

/** A JWT has three dot-separated parts; static tokens (the platform token) have none. */
export function looksLikeJwt(token: string) {
  return token.split('.').length === 3
}

const CLAIMS = Symbol('oryne.access_claims')

/**
 * The claims of the request's access JWT, verified once per request: the rate
 * limiter and the guard both ask, the signature is checked once. Rejects with
 * ERR_AUTH_REQUIRED without a bearer token, and with the token's own catalog
 * error when it does not verify.
 */
export function accessClaimsOf(ctx: HttpContext, tokens: AccessTokens): Promise<AccessClaims> {
  const memo = ctx as unknown as Record<symbol, Promise<AccessClaims> | undefined>
  if (!memo[CLAIMS]) {
    const token = bearerToken(ctx)
    memo[CLAIMS] = token ? tokens.verify(token) : Promise.reject(new E_AUTH_REQUIRED())
    // Whoever asks handles the refusal; the memo itself must not count as an unhandled rejection.
    memo[CLAIMS].catch(() => {})
  }
  return memo[CLAIMS]
}

/** Whom a token with `tid` was issued for, as seen from a route expecting `expected`. */
function issuedFor(tid: string, expected: string) {
  if (tid === PLATFORM_TID) return 'the platform'
  return expected === PLATFORM_TID ? 'a tenant' : 'another tenant'
}

/**
 * The `@adonisjs/auth` guard of Oryne's access JWTs, one per realm: `tenant`
 * accepts only tokens issued for the tenant the request resolved to,
 * `platform` only tokens of platform users. A token of the other realm or of
 * another tenant is refused with ERR_AUTH_TENANT_MISMATCH. The user is read
 * fresh on every request, so revoked sessions and disabled accounts stop at once.
 * Failures are catalog errors (ERR_AUTH_REQUIRED, ..._TOKEN_EXPIRED, ...).
 */
export class JwtGuard implements GuardContract<AuthUser> {
  declare [symbols.GUARD_KNOWN_EVENTS]: {}

  readonly driverName = 'jwt'
  user?: AuthUser
  isAuthenticated = false
  authenticationAttempted = false
  #failure?: unknown

  constructor(
    private ctx: HttpContext,
    readonly realm: AuthRealm,
    private identity: GuardIdentity
  ) {}

  getUserOrFail(): AuthUser {
    if (!this.user) throw this.#failure ?? new E_AUTH_REQUIRED()
    return this.user
  }

  #expectedTid() {
    if (this.realm === 'platform') return PLATFORM_TID
    // The tenant middleware must run before a tenant guard: a route wiring bug, not the caller's.
    const tenant = (this.ctx as Partial<HttpContext>).tenant
    if (!tenant) throw new E_NO_TENANT_CONTEXT()
    return tenant.id
  }

  async authenticate(): Promise<AuthUser> {
    if (this.authenticationAttempted) return this.getUserOrFail()
    this.authenticationAttempted = true
    try {
      const claims = await accessClaimsOf(this.ctx, this.identity.tokens)
      const expected = this.#expectedTid()
      if (claims.tid !== expected) {
        throw new E_AUTH_TENANT_MISMATCH([
          issuedFor(claims.tid, expected),
          expected === PLATFORM_TID ? 'the platform' : 'this tenant',
        ])
      }
      this.user = await this.identity[this.realm].authenticate(claims)
      this.isAuthenticated = true
      return this.user
    } catch (error) {
      this.#failure = error
      throw error
    }
  }

  async check(): Promise<boolean> {
    try {
      await this.authenticate()
      return true
    } catch (error) {
      if (error instanceof OryneError && error.status < 500) return false
      throw error
    }
  }

  /** For Japa's API client: the header of a fresh access token of the user's session. */
  async authenticateAsClient(user: AuthUser): Promise<AuthClientResponse> {
    const { token } = await this.identity.tokens.issue({
      sub: user.id,
      tid: user.tid,
      sid: user.sessionId,
      roles: user.roles,
    })
    return { headers: { authorization: `Bearer ${token}` } }
  }
}

/** A guard of config/auth.ts for one realm. */
export function jwtGuard(realm: AuthRealm): GuardConfigProvider<(ctx: HttpContext) => JwtGuard> {
  return {
    // Identity reaches the database service, which exists only once the application has booted:
    // the guard is built then, once, rather than importing it on every request.
    async resolver() {
      const { identity } = await import('./identity.js')
      return (ctx) => new JwtGuard(ctx, realm, identity)
    },
  }
}
