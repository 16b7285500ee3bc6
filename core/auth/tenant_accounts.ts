import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { Account, AccountStore, Trx } from './types.js'

const SELECT_ACCOUNT = `
  SELECT u.id, u.email, u.name, u.status, u.password_hash, u.last_login_at, u.created_at,
         coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
    FROM users u
    LEFT JOIN user_roles ur ON ur.user_id = u.id
    LEFT JOIN roles r ON r.id = ur.role_id`

/** Tenant users, in the current tenant's schema (`users`, `user_roles`, `roles`). */
export class TenantAccounts implements AccountStore {
  readonly tables = { sessions: 'auth_sessions', tokens: 'refresh_tokens' }

  tid() {
    return tenantContext.require().id
  }

  run<T>(fn: (trx: Trx) => Promise<T>) {
    return withTenantDb(fn)
  }

  async #one(trx: Trx, where: string, bindings: string[]): Promise<Account | null> {
    const { rows } = await trx.rawQuery(`${SELECT_ACCOUNT} ${where} GROUP BY u.id`, bindings)
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
      `JOIN auth_sessions s ON s.user_id = u.id AND s.id = ? AND s.revoked_at IS NULL WHERE u.id = ?`,
      [sessionId, id]
    )
  }

  /** Users with their roles, by email. */
  async list(trx: Trx): Promise<Account[]> {
    const { rows } = await trx.rawQuery(`${SELECT_ACCOUNT} GROUP BY u.id ORDER BY u.email`)
    return rows
  }

  async setPasswordHash(trx: Trx, id: string, passwordHash: string) {
    await trx
      .from('users')
      .where('id', id)
      .update({ password_hash: passwordHash, updated_at: new Date() })
  }

  async touchLogin(trx: Trx, id: string, at: Date) {
    await trx.from('users').where('id', id).update({ last_login_at: at })
  }
}
