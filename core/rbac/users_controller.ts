import type { HttpContext } from '@adonisjs/core/http'
import { identity } from '../auth/identity.js'
import {
  adminCreateUserValidator,
  adminUpdateUserValidator,
  setRolesValidator,
} from '../auth/validators.js'
import { abilities, allow, assertAllowed } from './abilities.js'
import { actorOf } from './authorize.js'
import { listUsersValidator } from './validators.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { respond } from '../http/envelope.js'

/** The roles named, with their permissions (unknown names are left to the users service to refuse). */
async function rolesNamed(names: string[]) {
  const rows = await withTenantDb((trx) =>
    trx.from('roles').whereIn('name', names).select('name', 'permissions')
  )
  return rows as Array<{ name: string; permissions: string[] }>
}

/**
 * /api/v1/admin/users: the tenant's users. Reading needs core.users.read (or
 * .manage), every change core.users.manage; giving or taking a role needs the
 * permissions that role grants too (TenantAdmin: being one).
 */
export default class UsersController {
  async index(ctx: HttpContext) {
    await allow(ctx, abilities.readUsers)
    const filters = await listUsersValidator.validate(ctx.request.qs())
    const { users, pagination } = await identity.tenantUsers.page(filters)
    respond(ctx, users, { pagination })
  }

  async show(ctx: HttpContext) {
    await allow(ctx, abilities.readUsers)
    respond(ctx, await identity.tenantUsers.get(ctx.params.id))
  }

  /** Creates an active user (with `password`) or invites one (the invite token is answered once). */
  async store(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageUsers)
    const input = await adminCreateUserValidator.validate(ctx.request.body())
    for (const role of await rolesNamed(input.roles)) {
      await assertAllowed(principal, abilities.assignRole, role)
    }
    const { user, inviteToken } = await identity.tenantUsers.create(input, {
      actor: actorOf(principal),
    })
    respond(
      ctx,
      { ...user, ...(inviteToken ? { invite_token: inviteToken } : {}) },
      { status: 201, location: `/api/v1/admin/users/${user.id}` }
    )
  }

  async update(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageUsers)
    const changes = await adminUpdateUserValidator.validate(ctx.request.body())
    respond(
      ctx,
      await identity.tenantUsers.update(ctx.params.id, changes, { actor: actorOf(principal) })
    )
  }

  /** PUT /:id/roles: replaces the user's roles. */
  async setRoles(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageUsers)
    const { roles } = await setRolesValidator.validate(ctx.request.body())
    const user = await identity.tenantUsers.setRoles(
      ctx.params.id,
      roles,
      { actor: actorOf(principal) },
      async ({ added, removed }) => {
        for (const role of await rolesNamed([...added, ...removed])) {
          await assertAllowed(principal, abilities.assignRole, role)
        }
      }
    )
    respond(ctx, user)
  }

  async disable(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageUsers)
    respond(
      ctx,
      await identity.tenantUsers.setDisabledById(ctx.params.id, true, { actor: actorOf(principal) })
    )
  }

  async enable(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageUsers)
    respond(
      ctx,
      await identity.tenantUsers.setDisabledById(ctx.params.id, false, {
        actor: actorOf(principal),
      })
    )
  }

  /** DELETE /:id/mfa: turns off a user's MFA (a lost device); they enrol again after signing in. */
  async resetMfa(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageUsers)
    respond(ctx, await identity.tenantUsers.resetMfa(ctx.params.id, { actor: actorOf(principal) }))
  }
}
