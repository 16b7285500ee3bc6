import app from '@adonisjs/core/services/app'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { PrivacyHooks } from './define_plugin.js'

/** One answer per plugin, keyed by plugin name. */
export type PersonalDataByPlugin = Record<string, unknown>

type Hook = keyof PrivacyHooks

/**
 * Runs one privacy hook of every plugin enabled for the current tenant inside
 * `trx` (the caller's tenant transaction, so core's part and the plugins' part
 * of an export or erasure commit together). Export runs dependencies first;
 * erasure runs dependants first, since their records may point at their
 * dependencies'.
 */
export async function runPrivacyHook(
  trx: TransactionClientContract,
  hook: Hook,
  userId: string
): Promise<PersonalDataByPlugin> {
  const tenant = tenantContext.require()
  const plugins = await app.container.make('oryne.plugins')
  const manifests = await plugins.enabledManifests(tenant.id)
  if (hook === 'erasePersonalData') manifests.reverse()
  const results: PersonalDataByPlugin = {}
  for (const manifest of manifests) {
    const run = manifest.privacy?.[hook]
    if (run)
      results[manifest.name] = (await run(userId, { trx, tenant, plugin: manifest.name })) ?? null
  }
  return results
}

/** A user's personal data from every plugin enabled for the current tenant, keyed by plugin. */
export function exportPersonalData(userId: string) {
  return withTenantDb((trx) => runPrivacyHook(trx, 'exportPersonalData', userId))
}

/**
 * Erases (or anonymises, where records must stay) a user's personal data in
 * every plugin enabled for the current tenant, all or nothing; returns each
 * plugin's summary.
 */
export function erasePersonalData(userId: string) {
  return withTenantDb((trx) => runPrivacyHook(trx, 'erasePersonalData', userId))
}
