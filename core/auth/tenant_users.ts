import {
  E_AUTH_ACCOUNT_DISABLED,
  E_USER_EMAIL_TAKEN,
  E_USER_NOT_FOUND,
  E_VALIDATION,
} from '../errors.js'
import { assertPasswordPolicy } from './password_policy.js'
import { hashPassword } from './passwords.js'
import type { TenantRealm } from './tenant_realm.js'
import { presentAccount, type Account, type Trx } from './types.js'

export type NewTenantUser = { email: string; name?: string; role: string; password?: string }

/**
 * What administrators do with the current tenant's users (the `oryne user`
 * commands; the admin API builds on the same). Every method needs a tenant
 * context.
 */
export class TenantUsers {
  constructor(private realm: TenantRealm) {}

  get #accounts() {
    return this.realm.accounts
  }

  async #require(trx: Trx, email: string): Promise<Account> {
    const account = await this.#accounts.findByEmail(trx, email)
    if (!account) throw new E_USER_NOT_FOUND([email])
    return account
  }

  async list() {
    const accounts = await this.#accounts.run((trx) => this.#accounts.list(trx))
    return accounts.map(presentAccount)
  }

  async find(email: string) {
    return presentAccount(await this.#accounts.run((trx) => this.#require(trx, email)))
  }

  /**
   * Creates a user with one role: active when a password is given, otherwise
   * invited, with the invitation token returned (it is shown once).
   */
  async create(input: NewTenantUser) {
    if (input.password !== undefined) assertPasswordPolicy(input.password, { email: input.email })
    const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null
    try {
      return await this.#accounts.run(async (trx) => {
        const rows = await trx.from('roles').orderBy('name').select('name')
        const roles: string[] = rows.map((row) => row.name)
        if (!roles.includes(input.role)) {
          throw new E_VALIDATION([], {
            details: [
              {
                field: 'role',
                rule: 'exists',
                message: `Unknown role "${input.role}"; this tenant has: ${roles.join(', ')}`,
              },
            ],
          })
        }
        if (await this.#accounts.findByEmail(trx, input.email)) {
          throw new E_USER_EMAIL_TAKEN([input.email])
        }
        const [row] = await trx
          .insertQuery()
          .table('users')
          .insert({
            email: input.email,
            name: input.name || input.email.split('@')[0],
            status: passwordHash ? 'active' : 'invited',
            password_hash: passwordHash,
          })
          .returning('id')
        await trx.rawQuery(
          `INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = ?`,
          [row.id, input.role]
        )
        const inviteToken = passwordHash ? null : await this.realm.issueInvite(trx, row.id)
        const account = (await this.#accounts.findById(trx, row.id))!
        return { user: presentAccount(account), inviteToken }
      })
    } catch (error) {
      // Created by someone else between the check and the insert.
      if ((error as { code?: string }).code === '23505') throw new E_USER_EMAIL_TAKEN([input.email])
      throw error
    }
  }

  /** Disabling ends every session of the user at once; enabling restores the previous state. */
  async setDisabled(email: string, disabled: boolean) {
    return this.#accounts.run(async (trx) => {
      const account = await this.#require(trx, email)
      if (disabled && account.status !== 'disabled') {
        await trx.from('users').where('id', account.id).update({
          status: 'disabled',
          updated_at: new Date(),
        })
        await this.realm.sessions.revokeAllOf(trx, account.id, 'account_disabled')
      } else if (!disabled && account.status === 'disabled') {
        await trx
          .from('users')
          .where('id', account.id)
          .update({
            status: account.password_hash ? 'active' : 'invited',
            updated_at: new Date(),
          })
      }
      return presentAccount((await this.#accounts.findById(trx, account.id))!)
    })
  }

  /**
   * Sets a user's password as an administrator: an invited user becomes
   * active (the invitation is void); every session of the user ends.
   */
  async setPassword(email: string, password: string) {
    assertPasswordPolicy(password, { email })
    const passwordHash = await hashPassword(password)
    return this.#accounts.run(async (trx) => {
      const account = await this.#require(trx, email)
      await trx
        .from('users')
        .where('id', account.id)
        .update({
          password_hash: passwordHash,
          updated_at: new Date(),
          ...(account.status === 'invited'
            ? { status: 'active', invite_token_hash: null, invite_expires_at: null }
            : {}),
        })
      await this.realm.sessions.revokeAllOf(trx, account.id, 'password_reset')
      return presentAccount((await this.#accounts.findById(trx, account.id))!)
    })
  }

  /**
   * What lets a user (back) in without an administrator choosing a password:
   * a new invitation for an invited user, a password reset token for an
   * active one. Shown once to the administrator, who passes it on.
   */
  async issueRecovery(email: string): Promise<{ kind: 'invite' | 'reset'; token: string }> {
    return this.#accounts.run(async (trx) => {
      const account = await this.#require(trx, email)
      if (account.status === 'disabled') {
        throw new E_AUTH_ACCOUNT_DISABLED([], {
          hint: 'Enable it first: `oryne user enable --tenant <slug> --email <e>`.',
        })
      }
      if (account.status === 'invited') {
        return { kind: 'invite' as const, token: await this.realm.issueInvite(trx, account.id) }
      }
      return { kind: 'reset' as const, token: await this.realm.issueResetToken(trx, account.id) }
    })
  }
}
