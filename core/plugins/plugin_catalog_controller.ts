import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { authorize } from '../rbac/authorize.js'
import { serializeCatalogEntry } from './serialize.js'
import { respond } from '../http/envelope.js'

const PERMISSION = 'core.plugins.manage'

/**
 * What a tenant admin needs to choose modules (the admin console's modules
 * page): every installed plugin with its state here, description, dependencies
 * and the plugins that depend on it; and the uninstall dry run.
 */
export default class PluginCatalogController {
  /** GET /api/v1/admin/plugins/catalog */
  async index(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    const plugins = await app.container.make('oryne.plugins')
    const entries = plugins.catalog().map(serializeCatalogEntry)
    const forTenant = await plugins.forTenant(ctx.tenant)
    const states = new Map(forTenant.map((state) => [state.name, state]))
    respond(
      ctx,
      entries.map((entry) => {
        const state = states.get(entry.name)
        return {
          name: entry.name,
          version: state?.version ?? entry.version,
          available: entry.available,
          status: state?.status ?? 'not_installed',
          enabled_at: state?.enabled_at ?? null,
          description: 'description' in entry ? entry.description : null,
          dependencies: ('dependencies' in entry ? entry.dependencies : null) ?? {},
          dependents: entries
            .filter(
              (other) =>
                'dependencies' in other && Object.hasOwn(other.dependencies ?? {}, entry.name)
            )
            .map((other) => other.name),
        }
      })
    )
  }

  /** GET /api/v1/admin/plugins/:name/uninstall-plan: what `uninstall --purge` would drop here; changes nothing. */
  async uninstallPlan(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    const plugins = await app.container.make('oryne.plugins')
    const plan = await plugins.uninstallPlan(ctx.tenant, ctx.params.name)
    respond(ctx, {
      plugin: plan.plugin,
      installed: plan.installed,
      views: plan.views,
      tables: plan.tables,
      ledger_rows: plan.ledger_rows,
    })
  }
}
