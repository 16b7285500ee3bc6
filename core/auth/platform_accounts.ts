import db from '@adonisjs/lucid/services/db'
import { PLATFORM_TID } from './access_tokens.js'
import { SqlAccountStore } from './account_store.js'
import type { Account, AccountStore, Trx } from './types.js'

/** The role every platform user has until platform roles are managed. */
export const PLATFORM_ADMIN = 'PlatformAdmin'

const SELECT_ACCOUNT = `
  SELECT u.id, u.email, u.name, u.password_hash, u.roles, u.last_login_at, u.created_at,
         CASE WHEN u.disabled THEN 'disabled' WHEN u.password_hash IS NULL THEN 'invited'
              ELSE 'active' END AS status
    FROM platform_users u`

/** Platform users (`public.platform_users`) and their sessions. */
export class PlatformAccounts extends SqlAccountStore implements AccountStore {
  constructor() {
    super({
      select: SELECT_ACCOUNT,
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

  async findBySession(id: string, sessionId: string): Promise<Account | null> {
    const { rows } = await db.rawQuery(
      `${SELECT_ACCOUNT}
         JOIN platform_sessions s ON s.user_id = u.id AND s.id = ? AND s.revoked_at IS NULL
        WHERE u.id = ?`,
      [sessionId, id]
    )
    return rows[0] ?? null
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
