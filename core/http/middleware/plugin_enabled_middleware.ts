import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import { E_PLUGIN_DISABLED } from '../../errors.js'

/** Lets a plugin's routes answer only for tenants that enabled the plugin. */
export default class PluginEnabledMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { plugin: string }) {
    const plugins = await app.container.make('oryne.plugins')
    if (!(await plugins.isEnabled(ctx.tenant.id, options.plugin)))
      throw new E_PLUGIN_DISABLED([options.plugin])
    return next()
  }
}
