import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { respond } from '../http/envelope.js'
import { principalOf } from '../rbac/authorize.js'
import { resourceCatalogOf } from '../resources/catalog.js'
import { customFieldsOf } from '../resources/custom_fields.js'
import { canList, resourceView } from './resource_views.js'

/**
 * GET /api/v1/app/resources: every resource of the plugins this tenant
 * enabled that the signed-in user may list, described for the web app's
 * generated list, detail and form views (resource_views.ts).
 */
export default class AppResourcesController {
  async index(ctx: HttpContext) {
    const principal = await principalOf(ctx)
    const plugins = await app.container.make('oryne.plugins')
    const catalog = resourceCatalogOf(plugins)
    const manifests = await plugins.enabledManifests(ctx.tenant.id)
    const views = []
    for (const manifest of manifests) {
      for (const model of catalog.ofPlugin(manifest.name)) {
        if (!canList(model, principal)) continue
        views.push(resourceView(model, principal, catalog, await customFieldsOf(model)))
      }
    }
    respond(ctx, views)
  }
}
