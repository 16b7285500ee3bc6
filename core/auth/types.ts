import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

export type AccountStatus = 'invited' | 'active' | 'disabled'

/** A tenant or platform user as identity reasons about it. */
export type Account = {
  id: string
  email: string
  name: string
  status: AccountStatus
  password_hash: string | null
  roles: string[]
  last_login_at: Date | null
  created_at: Date
}

/** Who made an authenticated request, as the `tenant` and `platform` guards give it. */
export type AuthUser = {
  id: string
  email: string
  name: string
  status: AccountStatus
  roles: string[]
  /** The tenant id, or `platform`. */
  tid: string
  /** The sign-in session the access token belongs to. */
  sessionId: string
  /** `jti` of the access token. */
  tokenId: string
}

/** What a client gets on sign-in, refresh, invite acceptance and password change. */
export type TokenPair = {
  access_token: string
  refresh_token: string
  token_type: 'Bearer'
  expires_in: number
}

/** Where a sign-in came from, kept on the session. */
export type SessionMeta = { ip?: string | null; userAgent?: string | null }

export type Trx = TransactionClientContract

/** Where a realm keeps its sessions, refresh tokens, MFA enrolments and MFA sign-in challenges. */
export type RealmTables = { sessions: string; tokens: string; mfa: string; mfaChallenges: string }

/**
 * Where a realm's users and sessions live: tenant users in the tenant's schema
 * (through withTenantDb), platform users in `public`.
 */
export interface AccountStore {
  /** `tid` of this realm's tokens: the current tenant's id, or `platform`. */
  tid(): string
  /** Tables of this realm's sessions, refresh tokens and MFA. */
  readonly tables: RealmTables
  run<T>(fn: (trx: Trx) => Promise<T>): Promise<T>
  findByEmail(trx: Trx, email: string): Promise<Account | null>
  findById(trx: Trx, id: string): Promise<Account | null>
  /** The account, when `sessionId` is one of its sessions and not revoked (one statement, no transaction). */
  findBySession(id: string, sessionId: string): Promise<Account | null>
  /** The account of an email and whether MFA guards it (one statement, no transaction). */
  findForSignIn(email: string): Promise<(Account & { mfa_enabled: boolean }) | null>
  /** Records a sign-in and starts its session in one atomic statement; null when the account is gone. */
  openSession(
    id: string,
    meta: SessionMeta,
    at: Date
  ): Promise<{ sessionId: string; refreshToken: string } | null>
  setPasswordHash(trx: Trx, id: string, passwordHash: string): Promise<void>
  touchLogin(trx: Trx, id: string, at: Date): Promise<void>
}

/** An account as APIs and the CLI show it: never its password hash. */
export function presentAccount(account: Account) {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    status: account.status,
    roles: account.roles,
    last_login_at: account.last_login_at,
    created_at: account.created_at,
  }
}
