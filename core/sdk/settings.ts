import app from '@adonisjs/core/services/app'
import { tenantContext } from '../tenancy/context.js'

/**
 * The settings of plugin `name` for the current tenant: what its admin set,
 * over the manifest's defaults. Cached per tenant in every process and dropped
 * everywhere when they change, so reading them on every request is cheap.
 *
 * ```ts
 * const { loan_days } = await pluginSettings<{ loan_days: number }>('library')
 * ```
 */
export async function pluginSettings<T extends Record<string, unknown> = Record<string, unknown>>(
  name: string
): Promise<T> {
  const tenant = tenantContext.require()
  const plugins = await app.container.make('oryne.plugins')
  return (await plugins.settings(tenant.id, name)) as T
}
