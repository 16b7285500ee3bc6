import vine from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import tenancy from '../services/tenancy.js'
import { serializeCatalogEntry } from './serialize.js'
import { respond } from '../http/envelope.js'
import { platformActor } from '../auth/actors.js'

const enableBody = vine.compile(vine.object({ with_dependencies: vine.boolean().optional() }))

export default class PluginsController {
  /** Every installed plugin, available or not (with the reasons). */
  async index(ctx: HttpContext) {
    const plugins = await app.container.make('oryne.plugins')
    respond(ctx, plugins.catalog().map(serializeCatalogEntry))
  }

  async forTenant(ctx: HttpContext) {
    const plugins = await app.container.make('oryne.plugins')
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    respond(ctx, await plugins.forTenant(tenant))
  }

  async enable(ctx: HttpContext) {
    const plugins = await app.container.make('oryne.plugins')
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    const { with_dependencies: withDependencies } = await enableBody.validate(ctx.request.body())
    const enabled = await plugins.enable(tenant, [ctx.params.name], {
      actor: platformActor(ctx),
      withDependencies,
    })
    respond(ctx, { enabled, plugins: await plugins.forTenant(tenant) })
  }

  async disable(ctx: HttpContext) {
    const plugins = await app.container.make('oryne.plugins')
    const tenant = await tenancy.registry.findOrFail(ctx.params.slug)
    await plugins.disable(tenant, ctx.params.name, { actor: platformActor(ctx) })
    respond(ctx, { disabled: ctx.params.name, plugins: await plugins.forTenant(tenant) })
  }
}
