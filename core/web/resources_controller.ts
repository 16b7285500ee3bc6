import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { keyOfCollection } from '../collections/definition.js'
import { collectionsOfTenant } from '../collections/registry.js'
import { respond } from '../http/envelope.js'
import { principalOf } from '../rbac/authorize.js'
import { customFieldsOf } from '../resources/custom_fields.js'
import { canList, resourceView } from './resource_views.js'

/**
 * GET /api/v1/app/resources: every resource of the plugins this tenant
 * enabled, and every collection of the tenant (docs/collections.md), that
 * the signed-in user may list, described for the web app's generated list,
 * detail and form views (resource_views.ts).
 */
export default class AppResourcesController {
  async index(ctx: HttpContext) {
    const principal = await principalOf(ctx)
    const plugins = await app.container.make('oryne.plugins')
    // The tenant's catalog: the plugins' resources and its collections, so references between them resolve.
    const { catalog, list } = await collectionsOfTenant()
    const manifests = await plugins.enabledManifests(ctx.tenant.id)
    const views = []
    for (const manifest of manifests) {
      for (const model of catalog.ofPlugin(manifest.name)) {
        if (!canList(model, principal)) continue
        views.push(resourceView(model, principal, catalog, await customFieldsOf(model)))
      }
    }
    for (const row of list) {
      const model = catalog.collections.get(keyOfCollection(row.name))
      if (!model || !canList(model, principal)) continue
      views.push(resourceView(model, principal, catalog, await customFieldsOf(model), row.label))
    }
    respond(ctx, views)
  }
}
