import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { actorOf, authorize } from '../rbac/authorize.js'
import { respond } from '../http/envelope.js'
import { enableBody, settingsBody } from './validators.js'

const PERMISSION = 'core.plugins.manage'

/**
 * /api/v1/admin/plugins: a tenant admin turns modules on and off for their
 * institution and sets their settings (core.plugins.manage). The same
 * operations, with the same rules, as `oryne plugin ...` and the platform API.
 */
export default class TenantPluginsController {
  async index(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    const plugins = await app.container.make('oryne.plugins')
    respond(ctx, await plugins.forTenant(ctx.tenant))
  }

  async enable(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    const plugins = await app.container.make('oryne.plugins')
    const { with_dependencies: withDependencies } = await enableBody.validate(ctx.request.body())
    const enabled = await plugins.enable(ctx.tenant, [ctx.params.name], {
      actor: actorOf(principal),
      withDependencies,
    })
    respond(ctx, { enabled, plugins: await plugins.forTenant(ctx.tenant) })
  }

  async disable(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    const plugins = await app.container.make('oryne.plugins')
    await plugins.disable(ctx.tenant, ctx.params.name, { actor: actorOf(principal) })
    respond(ctx, { disabled: ctx.params.name, plugins: await plugins.forTenant(ctx.tenant) })
  }

  async settings(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    const plugins = await app.container.make('oryne.plugins')
    respond(ctx, await plugins.settingsView(ctx.tenant, ctx.params.name))
  }

  async updateSettings(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    const plugins = await app.container.make('oryne.plugins')
    const changes = await settingsBody.validate(ctx.request.body())
    respond(
      ctx,
      await plugins.updateSettings(ctx.tenant, ctx.params.name, changes, {
        actor: actorOf(principal),
      })
    )
  }
}
