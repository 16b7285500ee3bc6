import db from '@adonisjs/lucid/services/db'
import { PLATFORM_TID } from './access_tokens.js'
import type { Account, AccountStore, Trx } from './types.js'

/** The role every platform user has until platform roles are managed. */
export const PLATFORM_ADMIN = 'PlatformAdmin'

const SELECT_ACCOUNT = `
  SELECT u.id, u.email, u.name, u.password_hash, u.roles, u.last_login_at, u.created_at,
         CASE WHEN u.disabled THEN 'disabled' WHEN u.password_hash IS NULL THEN 'invited'
              ELSE 'active' END AS status
    FROM platform_users u`

/** Platform users (`public.platform_users`) and their sessions. */
export class PlatformAccounts implements AccountStore {
  readonly tables = { sessions: 'platform_sessions', tokens: 'platform_refresh_tokens' }

  tid() {
    return PLATFORM_TID
  }

  run<T>(fn: (trx: Trx) => Promise<T>) {
    return db.transaction(fn)
  }

  async #one(trx: Trx, where: string, bindings: string[]): Promise<Account | null> {
    const { rows } = await trx.rawQuery(`${SELECT_ACCOUNT} ${where}`, bindings)
    return rows[0] ?? null
  }

  findByEmail(trx: Trx, email: string) {
    return this.#one(trx, 'WHERE u.email = ?', [email])
  }

  findById(trx: Trx, id: string) {
    return this.#one(trx, 'WHERE u.id = ?', [id])
  }

  findBySession(trx: Trx, id: string, sessionId: string) {
    return this.#one(
      trx,
      `JOIN platform_sessions s ON s.user_id = u.id AND s.id = ? AND s.revoked_at IS NULL
        WHERE u.id = ?`,
      [sessionId, id]
    )
  }

  async create(trx: Trx, user: { email: string; name: string; passwordHash: string }) {
    const [row] = await trx
      .insertQuery()
      .table('platform_users')
      .insert({ email: user.email, name: user.name, password_hash: user.passwordHash })
      .returning('id')
    return (await this.findById(trx, row.id))!
  }

  async setPasswordHash(trx: Trx, id: string, passwordHash: string) {
    await trx
      .from('platform_users')
      .where('id', id)
      .update({ password_hash: passwordHash, updated_at: new Date() })
  }

  async touchLogin(trx: Trx, id: string, at: Date) {
    await trx.from('platform_users').where('id', id).update({ last_login_at: at })
  }
}
