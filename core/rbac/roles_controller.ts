import type { HttpContext } from '@adonisjs/core/http'
import { abilities, allow, assertAllowed } from './abilities.js'
import { actorOf } from './authorize.js'
import { knownPermissions } from './permissions.js'
import { roles } from './roles.js'
import { createRoleValidator, updateRoleValidator } from './validators.js'
import { respond } from '../http/envelope.js'

/**
 * /api/v1/admin/roles and /api/v1/admin/permissions. Changing roles needs
 * core.roles.manage, and only permissions the caller holds can be granted
 * (or taken away).
 */
export default class RolesController {
  async index(ctx: HttpContext) {
    await allow(ctx, abilities.readRoles)
    respond(ctx, await roles.list())
  }

  async show(ctx: HttpContext) {
    await allow(ctx, abilities.readRoles)
    respond(ctx, await roles.get(ctx.params.name))
  }

  async store(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageRoles)
    const input = await createRoleValidator.validate(ctx.request.body())
    await assertAllowed(principal, abilities.grant, input.permissions)
    const role = await roles.create(input, { actor: actorOf(principal) })
    respond(ctx, role, {
      status: 201,
      location: `/api/v1/admin/roles/${encodeURIComponent(role.name)}`,
    })
  }

  async update(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageRoles)
    const changes = await updateRoleValidator.validate(ctx.request.body())
    const role = await roles.update(
      ctx.params.name,
      changes,
      { actor: actorOf(principal) },
      async (before) => {
        if (changes.permissions) {
          await assertAllowed(principal, abilities.grant, [
            ...before.permissions,
            ...changes.permissions,
          ])
        }
      }
    )
    respond(ctx, role)
  }

  async destroy(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageRoles)
    await roles.delete(ctx.params.name, { actor: actorOf(principal) }, async (role) => {
      await assertAllowed(principal, abilities.grant, role.permissions)
    })
    respond(ctx, { deleted: ctx.params.name })
  }

  /** Every permission this tenant knows, grouped by plugin (core first). */
  async permissions(ctx: HttpContext) {
    await allow(ctx, abilities.readRoles)
    respond(ctx, await knownPermissions())
  }
}
