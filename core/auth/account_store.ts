import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { REFRESH_TOKEN_TTL_MS } from './sessions.js'
import { opaqueToken, tokenHash } from './secrets.js'
import type { Account, RealmTables, SessionMeta, Trx } from './types.js'

type Shape = {
  /** SELECT ... FROM <users> u [JOIN ...]: one account per row, `u` aliasing the users table. */
  select: string
  /** Appended after the WHERE clause (e.g. GROUP BY u.id when roles are aggregated). */
  groupBy?: string
  /**
   * The same account columns for one statement outside a transaction: every
   * table named through `table` (schema-qualified for tenants), `extra`
   * appended to the column list, one row per account without GROUP BY.
   */
  selectDirect: (table: (name: string) => string, extra?: string) => string
  users: string
} & RealmTables

/** Where a single statement outside a transaction runs, and how it must name the realm's tables. */
export type DirectClient = { client: QueryClientContract; table: (name: string) => string }

/** An account as sign-in needs it: with whether MFA guards it. */
export type SignInAccount = Account & { mfa_enabled: boolean }

/**
 * What platform and tenant accounts share: look-ups by email, id and live
 * session, and the password and last-login writes. Subclasses say where the
 * accounts live and which tenant id their tokens carry.
 */
export abstract class SqlAccountStore {
  readonly tables: RealmTables

  constructor(protected shape: Shape) {
    this.tables = {
      sessions: shape.sessions,
      tokens: shape.tokens,
      mfa: shape.mfa,
      mfaChallenges: shape.mfaChallenges,
    }
  }

  protected async one(trx: Trx, where: string, bindings: string[]): Promise<Account | null> {
    const { rows } = await trx.rawQuery(
      `${this.shape.select} ${where} ${this.shape.groupBy ?? ''}`,
      bindings
    )
    return rows[0] ?? null
  }

  findByEmail(trx: Trx, email: string) {
    return this.one(trx, 'WHERE u.email = ?', [email])
  }

  findById(trx: Trx, id: string) {
    return this.one(trx, 'WHERE u.id = ?', [id])
  }

  /** The client and table names of one statement outside a transaction (see readTenantDb). */
  protected abstract direct(): DirectClient

  /**
   * The account, only while the session is live (not revoked), read in one
   * statement outside any transaction: it runs on every authenticated request.
   */
  async findBySession(id: string, sessionId: string): Promise<Account | null> {
    const { client, table } = this.direct()
    const { rows } = await client.rawQuery(
      `${this.shape.selectDirect(table)}
         JOIN ${table(this.shape.sessions)} s ON s.user_id = u.id AND s.id = ? AND s.revoked_at IS NULL
        WHERE u.id = ?`,
      [sessionId, id]
    )
    return rows[0] ?? null
  }

  /** The account of an email and whether MFA guards it, in one statement (the sign-in read). */
  async findForSignIn(email: string): Promise<SignInAccount | null> {
    const { client, table } = this.direct()
    const mfa = `EXISTS (SELECT 1 FROM ${table(this.shape.mfa)} m
                          WHERE m.user_id = u.id AND m.enabled_at IS NOT NULL) AS mfa_enabled`
    const { rows } = await client.rawQuery(
      `${this.shape.selectDirect(table, mfa)} WHERE u.email = ?`,
      [email]
    )
    return rows[0] ?? null
  }

  /**
   * Signs an account in without MFA in one atomic statement: records the
   * sign-in, starts a session and issues its first refresh token (what
   * touchLogin and SessionStore.start do in a transaction, without its
   * BEGIN, search_path and COMMIT round trips).
   */
  async openSession(id: string, meta: SessionMeta, at: Date) {
    const { client, table } = this.direct()
    const refreshToken = opaqueToken()
    const { rows } = await client.rawQuery(
      `WITH account AS (
         UPDATE ${table(this.shape.users)} SET last_login_at = ? WHERE id = ? RETURNING id
       ), session AS (
         INSERT INTO ${table(this.shape.sessions)} (user_id, ip, user_agent, created_at, last_used_at)
         SELECT id, ?::varchar, ?::varchar, ?::timestamptz, ?::timestamptz FROM account RETURNING id
       ), token AS (
         INSERT INTO ${table(this.shape.tokens)} (family_id, token_hash, expires_at, created_at)
         SELECT id, ?::varchar, ?::timestamptz, ?::timestamptz FROM session
       )
       SELECT id FROM session`,
      [
        at,
        id,
        meta.ip?.slice(0, 64) ?? null,
        meta.userAgent?.slice(0, 400) ?? null,
        at,
        at,
        tokenHash(refreshToken),
        new Date(at.getTime() + REFRESH_TOKEN_TTL_MS),
        at,
      ] as any[]
    )
    return rows[0] ? { sessionId: String(rows[0].id), refreshToken } : null
  }

  async setPasswordHash(trx: Trx, id: string, passwordHash: string) {
    await trx
      .from(this.shape.users)
      .where('id', id)
      .update({ password_hash: passwordHash, updated_at: new Date() })
  }

  async touchLogin(trx: Trx, id: string, at: Date) {
    await trx.from(this.shape.users).where('id', id).update({ last_login_at: at })
  }
}
