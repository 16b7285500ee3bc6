import logger from '@adonisjs/core/services/logger'
import { diffRecords, recordAudit, type AuditOrigin } from '../audit/audit.js'
import {
  E_AUTH_ACCOUNT_DISABLED,
  E_LAST_TENANT_ADMIN,
  E_USER_EMAIL_TAKEN,
  E_USER_NOT_FOUND,
  E_VALIDATION,
} from '../errors.js'
import type { Pagination } from '../http/envelope.js'
import { tenantContext } from '../tenancy/context.js'
import { assertPasswordPolicy } from './password_policy.js'
import { hashPassword } from './passwords.js'
import { INVITE_TTL_MS, type TenantRealm } from './tenant_realm.js'
import { presentAccount, type Account, type Trx } from './types.js'
import { isUniqueViolation } from '../resources/unique_violation.js'

export type NewTenantUser = {
  email: string
  name?: string
  /** One role (the CLI) ... */
  role?: string
  /** ... or several (the admin API). */
  roles?: string[]
  password?: string
  /** Send the invitation notification to an invited user (default true; demo accounts are not mailed). */
  sendInvitation?: boolean
}

export type UserFilters = {
  status?: 'invited' | 'active' | 'disabled'
  role?: string
  /** Part of the email or name. */
  q?: string
  page?: number
  per_page?: number
}

/** Who made a change when the caller does not say: code running on its own. */
const SYSTEM: AuditOrigin = { actor: 'system' }

const ADMIN = 'TenantAdmin'

const USER = 'core.users'

function isUuid(value: string) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
}

/**
 * What administrators do with the current tenant's users, through the admin
 * API and the `oryne user` commands alike. Every change is audited in its own
 * transaction. Every method needs a tenant context.
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

  /** By id; ids that are not UUIDs are simply not found. */
  async requireById(trx: Trx, id: string): Promise<Account> {
    const account = isUuid(id) ? await this.#accounts.findById(trx, id) : null
    if (!account) throw new E_USER_NOT_FOUND([id])
    return account
  }

  async list() {
    const accounts = await this.#accounts.run((trx) => this.#accounts.list(trx))
    return accounts.map(presentAccount)
  }

  /** A page of users, by email, filtered by status, role and a search on email and name. */
  async page(filters: UserFilters) {
    const page = filters.page ?? 1
    const perPage = filters.per_page ?? 50
    return this.#accounts.run(async (trx) => {
      const where: string[] = []
      const bindings: string[] = []
      if (filters.status) {
        where.push('u.status = ?')
        bindings.push(filters.status)
      }
      if (filters.role) {
        where.push(
          'u.id IN (SELECT ur2.user_id FROM user_roles ur2 JOIN roles r2 ON r2.id = ur2.role_id WHERE r2.name = ?)'
        )
        bindings.push(filters.role)
      }
      if (filters.q) {
        where.push(`(u.email ILIKE ? ESCAPE '\\' OR u.name ILIKE ? ESCAPE '\\')`)
        const pattern = `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        bindings.push(pattern, pattern)
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : ''
      const { rows: counted } = await trx.rawQuery(
        `SELECT count(*)::int AS total FROM users u ${clause}`,
        bindings
      )
      const accounts = await this.#accounts.list(trx, {
        where: clause,
        bindings,
        limit: perPage,
        offset: (page - 1) * perPage,
      })
      const total = counted[0].total as number
      const pagination: Pagination = {
        page,
        per_page: perPage,
        total,
        last_page: Math.max(1, Math.ceil(total / perPage)),
      }
      return { users: accounts.map(presentAccount), pagination }
    })
  }

  async find(email: string) {
    return presentAccount(await this.#accounts.run((trx) => this.#require(trx, email)))
  }

  async get(id: string) {
    return presentAccount(await this.#accounts.run((trx) => this.requireById(trx, id)))
  }

  /** Roles must exist in the tenant; a user holds at least one. */
  async #assertRoles(trx: Trx, field: string, names: string[]) {
    const rows = await trx.from('roles').orderBy('name').select('name')
    const known: string[] = rows.map((row) => row.name)
    const details = names.flatMap((name, index) =>
      known.includes(name)
        ? []
        : [
            {
              field: names.length === 1 && field === 'role' ? 'role' : `${field}.${index}`,
              rule: 'exists',
              message: `Unknown role "${name}"; this tenant has: ${known.join(', ')}`,
            },
          ]
    )
    if (details.length) throw new E_VALIDATION([], { details })
  }

  /**
   * Refuses a change that would leave the tenant with no active TenantAdmin
   * (`remaining` says whether the user stays one). Changes of TenantAdmins are
   * serialised on the role's row, so two admins demoting each other at once
   * cannot both succeed.
   */
  async #keepAnAdmin(trx: Trx, account: Account, remaining: boolean) {
    if (!account.roles.includes(ADMIN) || account.status !== 'active' || remaining) return
    await trx.rawQuery(`SELECT id FROM roles WHERE name = ? FOR UPDATE`, [ADMIN])
    const { rows } = await trx.rawQuery(
      `SELECT count(*)::int AS others FROM users u
         JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
        WHERE r.name = ? AND u.status = 'active' AND u.id <> ?`,
      [ADMIN, account.id]
    )
    if (rows[0].others === 0) throw new E_LAST_TENANT_ADMIN()
  }

  /**
   * Creates a user with one role or more: active when a password is given,
   * otherwise invited, with the invitation token returned (shown once) and sent
   * to the user as the mandatory `core.invitation` notification.
   */
  async create(input: NewTenantUser, origin: AuditOrigin = SYSTEM) {
    const roles = [...new Set(input.roles ?? (input.role ? [input.role] : []))]
    if (input.password !== undefined) assertPasswordPolicy(input.password, { email: input.email })
    const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null
    try {
      const created = await this.#accounts.run(async (trx) => {
        await this.#assertRoles(trx, input.roles ? 'roles' : 'role', roles)
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
          `INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = ANY(?)`,
          [row.id, roles]
        )
        const inviteToken = passwordHash ? null : await this.realm.issueInvite(trx, row.id)
        const account = (await this.#accounts.findById(trx, row.id))!
        await recordAudit(trx, {
          ...origin,
          action: inviteToken ? 'core.users.invite' : 'core.users.create',
          resource: USER,
          resource_id: account.id,
          data: { after: { email: account.email, name: account.name, roles: account.roles } },
        })
        return { user: presentAccount(account), inviteToken }
      })
      if (created.inviteToken && input.sendInvitation !== false) {
        await this.#sendInvitation(created.user, created.inviteToken)
      }
      return created
    } catch (error) {
      // Created by someone else between the check and the insert.
      if (isUniqueViolation(error)) throw new E_USER_EMAIL_TAKEN([input.email])
      throw error
    }
  }

  /**
   * Sends the invitation through notifications (`core.invitation`, mandatory).
   * The user and the token stand if it fails: the administrator has the token
   * and can ask for a new one (`issueRecovery`).
   */
  async #sendInvitation(user: { id: string; email: string; name: string }, token: string) {
    const tenant = tenantContext.require()
    try {
      const { notify } = await import('../notifications/notify.js')
      await notify({
        userIds: [user.id],
        template: 'core.invitation',
        data: {
          name: user.name,
          email: user.email,
          institution: tenant.name,
          token,
          expires_in_days: INVITE_TTL_MS / 86_400_000,
        },
        priority: 'high',
      })
    } catch (error) {
      logger.error({ err: error, tenant_id: tenant.id }, 'invitation notification failed')
    }
  }

  /** Changes a user's name or email. */
  async update(id: string, changes: { name?: string; email?: string }, origin: AuditOrigin) {
    try {
      return await this.#accounts.run(async (trx) => {
        const account = await this.requireById(trx, id)
        if (changes.email && changes.email !== account.email) {
          if (await this.#accounts.findByEmail(trx, changes.email)) {
            throw new E_USER_EMAIL_TAKEN([changes.email])
          }
        }
        const before = { name: account.name, email: account.email }
        const after = { name: changes.name ?? account.name, email: changes.email ?? account.email }
        const diff = diffRecords(before, after)
        if (Object.keys(diff.after).length) {
          await trx
            .from('users')
            .where('id', account.id)
            .update({ ...after, updated_at: new Date() })
          await recordAudit(trx, {
            ...origin,
            action: 'core.users.update',
            resource: USER,
            resource_id: account.id,
            data: diff,
          })
        }
        return presentAccount((await this.#accounts.findById(trx, account.id))!)
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw new E_USER_EMAIL_TAKEN([changes.email])
      throw error
    }
  }

  /** Replaces a user's roles; takes effect on their next request (roles are read fresh). */
  async setRoles(
    id: string,
    names: string[],
    origin: AuditOrigin,
    check?: (change: { added: string[]; removed: string[] }) => Promise<void>
  ) {
    const next = [...new Set(names)].sort()
    return this.#accounts.run(async (trx) => {
      const account = await this.requireById(trx, id)
      await this.#assertRoles(trx, 'roles', next)
      const added = next.filter((name) => !account.roles.includes(name))
      const removed = account.roles.filter((name) => !next.includes(name))
      await check?.({ added, removed })
      if (!added.length && !removed.length) return presentAccount(account)
      await this.#keepAnAdmin(trx, account, next.includes(ADMIN))
      await trx.from('user_roles').where('user_id', account.id).delete()
      await trx.rawQuery(
        `INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = ANY(?)`,
        [account.id, next]
      )
      await recordAudit(trx, {
        ...origin,
        action: 'core.users.roles',
        resource: USER,
        resource_id: account.id,
        data: { before: { roles: account.roles }, after: { roles: next } },
      })
      return presentAccount((await this.#accounts.findById(trx, account.id))!)
    })
  }

  /** Disabling ends every session of the user at once; enabling restores the previous state. */
  async setDisabled(email: string, disabled: boolean, origin: AuditOrigin = SYSTEM) {
    return this.#accounts.run(async (trx) =>
      this.#setDisabled(trx, await this.#require(trx, email), disabled, origin)
    )
  }

  async setDisabledById(id: string, disabled: boolean, origin: AuditOrigin) {
    return this.#accounts.run(async (trx) =>
      this.#setDisabled(trx, await this.requireById(trx, id), disabled, origin)
    )
  }

  async #setDisabled(trx: Trx, account: Account, disabled: boolean, origin: AuditOrigin) {
    if (disabled && account.status !== 'disabled') {
      await this.#keepAnAdmin(trx, account, false)
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
    } else {
      return presentAccount(account)
    }
    const after = (await this.#accounts.findById(trx, account.id))!
    await recordAudit(trx, {
      ...origin,
      action: disabled ? 'core.users.disable' : 'core.users.enable',
      resource: USER,
      resource_id: account.id,
      data: { before: { status: account.status }, after: { status: after.status } },
    })
    return presentAccount(after)
  }

  /**
   * Sets a user's password as an administrator: an invited user becomes
   * active (the invitation is void); every session of the user ends.
   */
  async setPassword(email: string, password: string, origin: AuditOrigin = SYSTEM) {
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
      await recordAudit(trx, {
        ...origin,
        action: 'core.users.set_password',
        resource: USER,
        resource_id: account.id,
      })
      return presentAccount((await this.#accounts.findById(trx, account.id))!)
    })
  }

  /**
   * What lets a user (back) in without an administrator choosing a password:
   * a new invitation for an invited user, a password reset token for an
   * active one. Shown once to the administrator, who passes it on.
   */
  async issueRecovery(
    email: string,
    origin: AuditOrigin = SYSTEM
  ): Promise<{ kind: 'invite' | 'reset'; token: string }> {
    return this.#accounts.run(async (trx) => {
      const account = await this.#require(trx, email)
      if (account.status === 'disabled') {
        throw new E_AUTH_ACCOUNT_DISABLED([], {
          hint: 'Enable it first: `oryne user enable --tenant <slug> --email <e>`.',
        })
      }
      const kind = account.status === 'invited' ? ('invite' as const) : ('reset' as const)
      const token =
        kind === 'invite'
          ? await this.realm.issueInvite(trx, account.id)
          : await this.realm.issueResetToken(trx, account.id)
      await recordAudit(trx, {
        ...origin,
        action: kind === 'invite' ? 'core.users.reinvite' : 'core.users.reset_password',
        resource: USER,
        resource_id: account.id,
      })
      return { kind, token }
    })
  }

  /** Turns off a user's two-factor authentication (a lost device); their sessions stay. */
  async resetMfa(id: string, origin: AuditOrigin) {
    return this.#accounts.run(async (trx) => {
      const account = await this.requireById(trx, id)
      const removed = Number(await trx.from('user_mfa').where('user_id', account.id).delete())
      if (removed) {
        await recordAudit(trx, {
          ...origin,
          action: 'core.users.mfa_reset',
          resource: USER,
          resource_id: account.id,
        })
      }
      return { ...presentAccount(account), mfa_enabled: false }
    })
  }

  /** Checked before erasing: the last active TenantAdmin cannot be erased. */
  async assertErasable(trx: Trx, account: Account) {
    await this.#keepAnAdmin(trx, account, false)
  }
}
