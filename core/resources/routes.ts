import type { HttpContext, Router } from '@adonisjs/core/http'
import type { PluginHost } from '../plugins/plugin_host.js'
import { E_PLUGIN_DISABLED, E_RESOURCE_NOT_FOUND } from '../errors.js'
import { respond } from '../http/envelope.js'
import { authorize } from '../rbac/authorize.js'
import { resourceCatalogOf } from './catalog.js'
import { addCustomField, customFieldsOf, removeCustomField } from './custom_fields.js'
import type { ResourceModel } from './model.js'
import { ResourceService } from './resource_service.js'

/*
 * HTTP routes of the resource engine: CRUD of every resource of the
 * available plugins, and the tenant admin's custom fields.
 */

function origin(ctx: HttpContext, principal: Awaited<ReturnType<typeof authorize>>) {
  return { principal, requestId: ctx.request.id() ?? null, ctx }
}

/** The permission a route needs; `false` (an action turned off) is checked again by the service. */
function permissionOf(model: ResourceModel, action: keyof ResourceModel['permissions']) {
  return model.permissions[action] || `${model.key}.${action}`
}

/**
 * Registers, in the current route group, `GET/POST /<resource>` and
 * `GET/PATCH/DELETE /<resource>/:id` for each resource of `plugin`; actions a
 * resource turns off (`permissions.<action>: false`) get no route.
 */
export function resourceRoutes(router: Router, service: ResourceService, models: ResourceModel[]) {
  for (const model of models) {
    const path = `/${model.name}`
    const on = (action: keyof ResourceModel['permissions']) => model.permissions[action] !== false
    if (on('list'))
      router.get(path, async (ctx) => {
        const principal = await authorize(ctx, permissionOf(model, 'list'))
        const { data, pagination } = await service.list(
          model,
          principal,
          ctx.request.parsedUrl.query
        )
        respond(ctx, data, { pagination })
      })
    if (on('create'))
      router.post(path, async (ctx) => {
        const principal = await authorize(ctx, permissionOf(model, 'create'))
        const created = await service.create(model, ctx.request.body(), origin(ctx, principal))
        // The new record's address, where the resource has one (its read route).
        const location = on('read') ? `/api/v1/${model.plugin}${path}/${created.id}` : undefined
        respond(ctx, created, { status: 201, location })
      })
    if (on('read'))
      router.get(`${path}/:id`, async (ctx) => {
        const principal = await authorize(ctx, permissionOf(model, 'read'))
        respond(
          ctx,
          await service.show(model, principal, ctx.params.id, ctx.request.parsedUrl.query)
        )
      })
    if (on('update'))
      router.patch(`${path}/:id`, async (ctx) => {
        const principal = await authorize(ctx, permissionOf(model, 'update'))
        respond(
          ctx,
          await service.update(model, ctx.params.id, ctx.request.body(), origin(ctx, principal))
        )
      })
    if (on('delete'))
      router.delete(`${path}/:id`, async (ctx) => {
        const principal = await authorize(ctx, permissionOf(model, 'delete'))
        respond(ctx, await service.delete(model, ctx.params.id, origin(ctx, principal)))
      })
  }
}

/** Mounts the resource routes of every available plugin, and the custom-fields admin routes. */
export function mountResources(
  router: Router,
  host: PluginHost,
  middleware: { tenant(): any; pluginEnabled(options: { plugin: string }): any },
  log: (message: string) => void = () => {}
) {
  const catalog = resourceCatalogOf(host)
  for (const { plugin, problem } of catalog.problems)
    log(`plugin ${plugin}: resources not served: ${problem}`)
  const service = new ResourceService(catalog)

  for (const { manifest } of host.available()) {
    const models = catalog.ofPlugin(manifest.name)
    if (!models.length) continue
    router
      .group(() => resourceRoutes(router, service, models))
      .prefix(`/api/v1/${manifest.name}`)
      .use([middleware.tenant(), middleware.pluginEnabled({ plugin: manifest.name })])
  }

  /** The resource named by the admin route, of a plugin this tenant enabled. */
  const modelOf = async (ctx: HttpContext) => {
    const model = catalog.get(`${ctx.params.plugin}.${ctx.params.resource}`)
    if (!model) throw new E_RESOURCE_NOT_FOUND([`${ctx.params.plugin}/${ctx.params.resource}`])
    if (!(await host.isEnabled(ctx.tenant.id, model.plugin)))
      throw new E_PLUGIN_DISABLED([model.plugin])
    return model
  }
  const PERMISSION = 'core.custom_fields.manage'

  router
    .group(() => {
      router.get('/', async (ctx) => {
        await authorize(ctx, PERMISSION)
        const custom = await customFieldsOf(await modelOf(ctx))
        respond(ctx, custom.list)
      })
      router.post('/', async (ctx) => {
        const principal = await authorize(ctx, PERMISSION)
        const model = await modelOf(ctx)
        respond(ctx, await addCustomField(model, ctx.request.body(), origin(ctx, principal)), {
          status: 201,
        })
      })
      router.delete('/:name', async (ctx) => {
        const principal = await authorize(ctx, PERMISSION)
        const model = await modelOf(ctx)
        await removeCustomField(model, ctx.params.name, origin(ctx, principal))
        respond(ctx, { name: ctx.params.name, deleted: true })
      })
    })
    .prefix('/api/v1/admin/resources/:plugin/:resource/fields')
    .use([middleware.tenant()])

  return { catalog, service }
}
