import db from '@adonisjs/lucid/services/db'
import { activeTenant } from '#tests/support/tenants'

/**
 * Marks `plugin` enabled for a fresh tenant straight in the platform
 * database, as a tenant that enabled it before it stopped loading would have
 * it (the API refuses to enable an unavailable plugin). Returns the slug.
 */
export async function enableUnloadable(plugin: string) {
  const tenant = await activeTenant()
  await db.table('tenant_plugins').insert({
    tenant_id: tenant.id,
    plugin,
    version: '1.0.0',
    status: 'enabled',
    enabled_at: new Date(),
  })
  return tenant.slug
}

/** Removes what enableUnloadable added, for every tenant. */
export async function forgetUnloadable(plugin: string) {
  await db.from('tenant_plugins').where('plugin', plugin).delete()
}
