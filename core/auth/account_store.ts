import type { Account, RealmTables, Trx } from './types.js'

type Shape = {
  /** SELECT ... FROM <users> u [JOIN ...]: one account per row, `u` aliasing the users table. */
  select: string
  /** Appended after the WHERE clause (e.g. GROUP BY u.id when roles are aggregated). */
  groupBy?: string
  users: string
} & RealmTables

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

  /**
   * The account, only while the session is live (not revoked), read in one
   * statement outside any transaction: it runs on every authenticated request.
   */
  abstract findBySession(id: string, sessionId: string): Promise<Account | null>

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
