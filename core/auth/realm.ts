import logger from '@adonisjs/core/services/logger'
import {
  E_AUTH_ACCOUNT_DISABLED,
  E_AUTH_INVALID_CREDENTIALS,
  E_AUTH_MFA_CHALLENGE_INVALID,
  E_AUTH_MFA_INVALID,
  E_AUTH_SESSION_ENDED,
  E_AUTH_TOKEN_REUSED,
  E_VALIDATION,
  OryneError,
} from '../errors.js'
import type { AccessClaims, AccessTokens } from './access_tokens.js'
import { Mfa, type MfaChallenge } from './mfa.js'
import { assertPasswordPolicy } from './password_policy.js'
import { hashPassword, needsRehash, verifyPassword } from './passwords.js'
import { SessionStore } from './sessions.js'
import type { Account, AccountStore, AuthUser, SessionMeta, TokenPair, Trx } from './types.js'

/** Runs `fn` in the store's transaction; a catalog error it returns is thrown after the commit. */
async function commitThenThrow<T>(
  store: AccountStore,
  fn: (trx: Trx) => Promise<T | OryneError>
): Promise<T> {
  const outcome = await store.run(fn)
  if (outcome instanceof OryneError) throw outcome
  return outcome
}

/**
 * Sign-in, refresh, sign-out, password change and request authentication for
 * one realm of users: a tenant's (in its schema) or the platform's. Password
 * hashing (slow on purpose) happens outside database transactions, so that a
 * burst of sign-ins does not hold the pool's connections.
 */
export class Realm<Store extends AccountStore = AccountStore> {
  readonly sessions: SessionStore
  readonly mfa: Mfa

  constructor(
    readonly accounts: Store,
    protected tokens: AccessTokens,
    protected now: () => Date
  ) {
    this.sessions = new SessionStore(accounts.tables, now)
    this.mfa = new Mfa(accounts, now, (trx, userId, action) =>
      this.audited(trx, userId, `core.mfa.${action}`)
    )
  }

  /** Records a user's own change to their account (tenant users have an audit log; the platform has none yet). */
  protected async audited(_trx: Trx, _userId: string, _action: string): Promise<void> {}

  /** Starts a session for an active account and returns its first tokens. */
  protected async startSession(trx: Trx, account: Account, meta: SessionMeta): Promise<TokenPair> {
    const { sessionId, refreshToken } = await this.sessions.start(trx, account.id, meta)
    return this.pair(account, sessionId, refreshToken)
  }

  protected async pair(account: Account, sessionId: string, refreshToken: string) {
    const access = await this.tokens.issue({
      sub: account.id,
      tid: this.accounts.tid(),
      sid: sessionId,
      roles: account.roles,
    })
    return {
      access_token: access.token,
      refresh_token: refreshToken,
      token_type: 'Bearer' as const,
      expires_in: access.expiresIn,
    }
  }

  /**
   * Unknown email, wrong password and a not-yet-accepted invitation all give
   * ERR_AUTH_INVALID_CREDENTIALS, in the same time: the answer never tells
   * whether an email has an account. Only with the right password does a
   * disabled account learn that it is disabled.
   */
  async login(
    email: string,
    password: string,
    meta: SessionMeta = {},
    code?: string
  ): Promise<TokenPair | MfaChallenge> {
    const account = await this.accounts.findForSignIn(email)
    const usable = account && account.status !== 'invited' ? account.password_hash : null
    const matches = await verifyPassword(usable, password)
    if (!account || !matches) throw new E_AUTH_INVALID_CREDENTIALS()
    if (account.status === 'disabled') throw new E_AUTH_ACCOUNT_DISABLED()
    const rehash = needsRehash(account.password_hash!) ? await hashPassword(password) : null
    // The common sign-in (no MFA, hash current) is one statement; the rest needs a transaction.
    if (!rehash && !account.mfa_enabled) {
      const opened = await this.accounts.openSession(account.id, meta, this.now())
      if (!opened) throw new E_AUTH_INVALID_CREDENTIALS()
      return this.pair(account, opened.sessionId, opened.refreshToken)
    }
    return commitThenThrow(this.accounts, async (trx) => {
      if (rehash) await this.accounts.setPasswordHash(trx, account.id, rehash)
      // With MFA on, the password alone opens the second step (or the code sent along passes it).
      if (await this.mfa.enabled(trx, account.id)) {
        if (code === undefined) return this.mfa.challenge(trx, account.id)
        if (!(await this.mfa.verify(trx, account.id, code))) return new E_AUTH_MFA_INVALID()
      }
      await this.accounts.touchLogin(trx, account.id, this.now())
      return this.startSession(trx, account, meta)
    })
  }

  /** The second sign-in step: the MFA token of `login` and a TOTP or recovery code. */
  async completeMfa(mfaToken: string, code: string, meta: SessionMeta = {}): Promise<TokenPair> {
    return commitThenThrow(this.accounts, async (trx) => {
      const userId = await this.mfa.complete(trx, mfaToken, code)
      if (userId instanceof OryneError) return userId
      const account = await this.accounts.findById(trx, userId)
      if (account?.status === 'disabled') return new E_AUTH_ACCOUNT_DISABLED()
      if (account?.status !== 'active') return new E_AUTH_MFA_CHALLENGE_INVALID()
      await this.accounts.touchLogin(trx, account.id, this.now())
      return this.startSession(trx, account, meta)
    })
  }

  /** New tokens for a refresh token, which stops working; see SessionStore.rotate. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    try {
      return await commitThenThrow(this.accounts, async (trx) => {
        const rotated = await this.sessions.rotate(trx, refreshToken)
        if (rotated instanceof OryneError) return rotated
        const account = await this.accounts.findById(trx, rotated.userId)
        if (account?.status !== 'active') {
          await this.sessions.revoke(trx, rotated.sessionId, 'account_disabled')
          return account?.status === 'disabled'
            ? new E_AUTH_ACCOUNT_DISABLED()
            : new E_AUTH_SESSION_ENDED()
        }
        return this.pair(account, rotated.sessionId, rotated.refreshToken)
      })
    } catch (error) {
      if (error instanceof E_AUTH_TOKEN_REUSED) {
        logger.warn({ tid: this.accounts.tid() }, 'refresh token reused: session revoked')
      }
      throw error
    }
  }

  /** Ends the session of a refresh token, or the session of the caller's access token. */
  async logout(target: { refreshToken?: string; sessionId?: string }) {
    return this.accounts.run(async (trx) => {
      if (target.refreshToken) {
        return this.sessions.revokeByRefreshToken(trx, target.refreshToken, 'logout')
      }
      return target.sessionId ? this.sessions.revoke(trx, target.sessionId, 'logout') : false
    })
  }

  /**
   * Changes the caller's password after checking the current one, ends every
   * session of the account (this one included) and returns the tokens of a new
   * session, so that the device that changed it stays signed in.
   */
  async changePassword(
    user: AuthUser,
    current: string,
    next: string,
    meta: SessionMeta = {}
  ): Promise<TokenPair> {
    const account = await this.accounts.run((trx) => this.accounts.findById(trx, user.id))
    if (!account || account.status !== 'active') throw new E_AUTH_SESSION_ENDED()
    assertPasswordPolicy(next, { field: 'new_password', email: account.email })
    if (!(await verifyPassword(account.password_hash, current))) {
      throw new E_VALIDATION([], {
        details: [
          {
            field: 'current_password',
            rule: 'current_password',
            message: 'This is not your current password',
          },
        ],
      })
    }
    if (current === next) {
      throw new E_VALIDATION([], {
        details: [
          {
            field: 'new_password',
            rule: 'password.unchanged',
            message: 'The new password must differ from the current one',
          },
        ],
      })
    }
    const passwordHash = await hashPassword(next)
    return this.accounts.run(async (trx) => {
      await this.accounts.setPasswordHash(trx, account.id, passwordHash)
      await this.sessions.revokeAllOf(trx, account.id, 'password_changed')
      await this.audited(trx, account.id, 'core.auth.password_change')
      return this.startSession(trx, account, meta)
    })
  }

  /**
   * The user behind verified access-token claims, read fresh: a revoked
   * session, a disabled account or changed roles take effect at once, not
   * when the token expires.
   */
  async authenticate(claims: AccessClaims): Promise<AuthUser> {
    const account = await this.accounts.findBySession(claims.sub, claims.sid)
    if (!account) throw new E_AUTH_SESSION_ENDED()
    if (account.status === 'disabled') throw new E_AUTH_ACCOUNT_DISABLED()
    if (account.status !== 'active') throw new E_AUTH_SESSION_ENDED()
    return {
      id: account.id,
      email: account.email,
      name: account.name,
      status: account.status,
      roles: account.roles,
      tid: claims.tid,
      sessionId: claims.sid,
      tokenId: claims.jti,
    }
  }
}
