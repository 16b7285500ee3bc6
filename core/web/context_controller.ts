import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import type { PluginUiAudience } from '../plugins/define_plugin.js'
import { principalOf } from '../rbac/authorize.js'
import { knownPermissions } from '../rbac/permissions.js'
import { respond } from '../http/envelope.js'

/** Whether a signed-in user with `roles` and `can` is the audience of a navigation entry or widget. */
function addressedTo(
  audience: PluginUiAudience,
  roles: string[],
  can: (permission: string) => boolean
) {
  if (audience.roles?.length && !audience.roles.some((role) => roles.includes(role))) return false
  return !audience.permissions?.length || audience.permissions.some(can)
}

const byOrder = (a: { order?: number; id: string }, b: { order?: number; id: string }) =>
  (a.order ?? 100) - (b.order ?? 100) || a.id.localeCompare(b.id)

/**
 * GET /api/v1/app/context: what the web app (docs/web.md) needs to draw itself
 * for the signed-in user: who they are, the tenant's locale, time zone and
 * currency, the permissions they hold, and the navigation entries and widgets
 * of the plugins this tenant enabled that are meant for them.
 */
export default class AppContextController {
  async show(ctx: HttpContext) {
    const user = ctx.auth.use('tenant').getUserOrFail()
    const principal = await principalOf(ctx)
    const plugins = await app.container.make('oryne.plugins')
    const manifests = await plugins.enabledManifests(ctx.tenant.id)
    const known = await knownPermissions()
    const permissions = known
      .flatMap((group) => group.permissions.map((permission) => permission.name))
      .filter((permission) => principal.can(permission))
    const audience = (entry: PluginUiAudience) =>
      addressedTo(entry, user.roles, (permission) => principal.can(permission))
    const settings = ctx.tenant.settings
    respond(ctx, {
      user: { id: user.id, email: user.email, name: user.name, roles: user.roles },
      tenant: {
        slug: ctx.tenant.slug,
        name: ctx.tenant.name,
        locale: settings.locale,
        time_zone: settings.time_zone,
        currency: settings.currency,
        week_start_day: settings.week_start_day,
      },
      permissions: [...new Set(permissions)].sort(),
      plugins: manifests.map((manifest) => ({ name: manifest.name, version: manifest.version })),
      nav: manifests
        .flatMap((manifest) =>
          (manifest.ui?.nav ?? []).filter(audience).map((entry) => ({
            plugin: manifest.name,
            id: entry.id,
            label: entry.label,
            path: entry.path,
            section: entry.section ?? 'daily',
            order: entry.order ?? 100,
          }))
        )
        .sort(byOrder),
      widgets: manifests
        .flatMap((manifest) =>
          (manifest.ui?.widgets ?? []).filter(audience).map((widget) => ({
            plugin: manifest.name,
            id: widget.id,
            title: widget.title,
            order: widget.order ?? 100,
          }))
        )
        .sort(byOrder),
    })
  }
}
