import { tenantContext } from '../tenancy/context.js'
import db from '@adonisjs/lucid/services/db'
import { ident } from '../resources/sql.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { SqlAccountStore } from './account_store.js'
import type { Account, AccountStore, Trx } from './types.js'

const SELECT_ACCOUNT = `
  SELECT u.id, u.email, u.name, u.status, u.password_hash, u.last_login_at, u.created_at,
         coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
    FROM users u
    LEFT JOIN user_roles ur ON ur.user_id = u.id
    LEFT JOIN roles r ON r.id = ur.role_id`

/** The same columns, every table named through `table`, roles as a subquery (no GROUP BY). */
const selectDirect = (table: (name: string) => string, extra?: string) => `
  SELECT u.id, u.email, u.name, u.status, u.password_hash, u.last_login_at, u.created_at,
         array(SELECT r.name FROM ${table('user_roles')} ur JOIN ${table('roles')} r ON r.id = ur.role_id
                WHERE ur.user_id = u.id ORDER BY r.name) AS roles${extra ? `, ${extra}` : ''}
    FROM ${table('users')} u`

/** Tenant users, in the current tenant's schema (`users`, `user_roles`, `roles`). */
export class TenantAccounts extends SqlAccountStore implements AccountStore {
  constructor() {
    super({
      select: SELECT_ACCOUNT,
      groupBy: 'GROUP BY u.id',
      selectDirect,
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

  protected direct() {
    const schema = ident(tenantContext.require().schema_name)
    return {
      // Inside an open tenant transaction the statement joins it.
      client: tenantContext.transaction() ?? db.connection(),
      table: (name: string) => `${schema}.${ident(name)}`,
    }
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
