import db from '@adonisjs/lucid/services/db'
import { PLATFORM_TID } from './access_tokens.js'
import { SqlAccountStore } from './account_store.js'
import type { AccountStore, Trx } from './types.js'

/** The role every platform user has until platform roles are managed. */
export const PLATFORM_ADMIN = 'PlatformAdmin'

const selectAccount = (table: (name: string) => string = (name) => name, extra?: string) => `
  SELECT u.id, u.email, u.name, u.password_hash, u.roles, u.last_login_at, u.created_at,
         CASE WHEN u.disabled THEN 'disabled' WHEN u.password_hash IS NULL THEN 'invited'
              ELSE 'active' END AS status${extra ? `, ${extra}` : ''}
    FROM ${table('platform_users')} u`

/** Platform users (`public.platform_users`) and their sessions. */
export class PlatformAccounts extends SqlAccountStore implements AccountStore {
  constructor() {
    super({
      select: selectAccount(),
      selectDirect: selectAccount,
      users: 'platform_users',
      sessions: 'platform_sessions',
      tokens: 'platform_refresh_tokens',
      mfa: 'platform_user_mfa',
      mfaChallenges: 'platform_mfa_challenges',
    })
  }

  tid() {
    return PLATFORM_TID
  }

  run<T>(fn: (trx: Trx) => Promise<T>) {
    return db.transaction(fn)
  }

  protected direct() {
    // Platform tables live in public, which every connection's search_path has.
    return { client: db.connection(), table: (name: string) => name }
  }

  async create(trx: Trx, user: { email: string; name: string; passwordHash: string }) {
    const [row] = await trx
      .insertQuery()
      .table('platform_users')
      .insert({ email: user.email, name: user.name, password_hash: user.passwordHash })
      .returning('id')
    return (await this.findById(trx, row.id))!
  }
}
