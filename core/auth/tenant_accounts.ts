import { tenantContext } from '../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import { SqlAccountStore } from './account_store.js'
import type { Account, AccountStore, Trx } from './types.js'

const SELECT_ACCOUNT = `
  SELECT u.id, u.email, u.name, u.status, u.password_hash, u.last_login_at, u.created_at,
         coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
    FROM users u
    LEFT JOIN user_roles ur ON ur.user_id = u.id
    LEFT JOIN roles r ON r.id = ur.role_id`

/** Tenant users, in the current tenant's schema (`users`, `user_roles`, `roles`). */
export class TenantAccounts extends SqlAccountStore implements AccountStore {
  constructor() {
    super({
      select: SELECT_ACCOUNT,
      groupBy: 'GROUP BY u.id',
      users: 'users',
      sessions: 'auth_sessions',
      tokens: 'refresh_tokens',
      mfa: 'user_mfa',
      mfaChallenges: 'mfa_challenges',
    })
  }

  tid() {
    return tenantContext.require().id
  }

  run<T>(fn: (trx: Trx) => Promise<T>) {
    return withTenantDb(fn)
  }

  async findBySession(id: string, sessionId: string): Promise<Account | null> {
    return readTenantDb(async (client, table) => {
      const { rows } = await client.rawQuery(
        `SELECT u.id, u.email, u.name, u.status, u.password_hash, u.last_login_at, u.created_at,
                array(SELECT r.name FROM ${table('user_roles', 'ur')}
                        JOIN ${table('roles', 'r')} ON r.id = ur.role_id
                       WHERE ur.user_id = u.id ORDER BY r.name) AS roles
           FROM ${table('users', 'u')}
           JOIN ${table('auth_sessions', 's')}
             ON s.user_id = u.id AND s.id = ? AND s.revoked_at IS NULL
          WHERE u.id = ?`,
        [sessionId, id]
      )
      return rows[0] ?? null
    })
  }

  /** Users with their roles, by email; `where` (on `u`) and paging narrow the list. */
  async list(
    trx: Trx,
    options: { where?: string; bindings?: unknown[]; limit?: number; offset?: number } = {}
  ): Promise<Account[]> {
    const paged = options.limit !== undefined
    const { rows } = await trx.rawQuery(
      `${SELECT_ACCOUNT} ${options.where ?? ''} GROUP BY u.id ORDER BY u.email${paged ? ' LIMIT ? OFFSET ?' : ''}`,
      [...(options.bindings ?? []), ...(paged ? [options.limit, options.offset ?? 0] : [])] as any[]
    )
    return rows
  }
}
