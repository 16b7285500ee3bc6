import app from '@adonisjs/core/services/app'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { PrivacyHooks } from './define_plugin.js'
import { resourceCatalogOf } from '../resources/catalog.js'
import {
  eraseDeclaredPersonalData,
  exportDeclaredPersonalData,
} from '../resources/personal_data.js'
import { COLLECTIONS } from '../collections/definition.js'
import { collectionsOfTenant } from '../collections/registry.js'

/** One answer per plugin, keyed by plugin name. */
export type PersonalDataByPlugin = Record<string, unknown>

type Hook = keyof PrivacyHooks

/** A hook's answer merged over the declared part: its keys win (a plugin may show a resource its own way). */
function merged(declared: Record<string, unknown>, answer: unknown): unknown {
  const plain = answer !== null && typeof answer === 'object' && !Array.isArray(answer)
  if (!Object.keys(declared).length) return answer ?? null
  return plain ? { ...declared, ...(answer as Record<string, unknown>) } : declared
}

/**
 * Exports or erases one user's personal data in every plugin enabled for the
 * current tenant, inside `trx` (the caller's tenant transaction, so core's
 * part and the plugins' part of an export or erasure commit together). Each
 * plugin's part is what its resources declare (`personal` fields,
 * core/resources/personal_data.ts) merged with what its privacy hook returns.
 * Export runs dependencies first; erasure runs dependants first, since their
 * records may point at their dependencies', and runs a plugin's hook before
 * its declared erasure (the hook may withdraw rows the declaration would
 * only redact). A plugin with neither a hook nor a subject is left out. The
 * tenant's collections (core/collections) answer under `collections`.
 */
export async function runPrivacyHook(
  trx: TransactionClientContract,
  hook: Hook,
  userId: string
): Promise<PersonalDataByPlugin> {
  const tenant = tenantContext.require()
  const plugins = await app.container.make('oryne.plugins')
  const catalog = resourceCatalogOf(plugins)
  const manifests = await plugins.enabledManifests(tenant.id)
  if (hook === 'erasePersonalData') manifests.reverse()
  const results: PersonalDataByPlugin = {}
  // The tenant's collections declare personal data on fields too; their records may point at
  // plugins' records, so they are erased before the plugins' and exported after them.
  const collections = async () => {
    const { catalog: tenantCatalog } = await collectionsOfTenant()
    const models = tenantCatalog.ofPlugin(COLLECTIONS)
    const run =
      hook === 'exportPersonalData' ? exportDeclaredPersonalData : eraseDeclaredPersonalData
    const declared = await run(trx, tenantCatalog, models, tenant.schema_name, userId)
    if (Object.keys(declared).length) results[COLLECTIONS] = declared
  }
  if (hook === 'erasePersonalData') await collections()
  for (const manifest of manifests) {
    const run = manifest.privacy?.[hook]
    const models = catalog.ofPlugin(manifest.name)
    const context = { trx, tenant, plugin: manifest.name }
    if (hook === 'exportPersonalData') {
      const declared = await exportDeclaredPersonalData(
        trx,
        catalog,
        models,
        tenant.schema_name,
        userId
      )
      const answer = run ? await run(userId, context) : undefined
      if (run || Object.keys(declared).length) results[manifest.name] = merged(declared, answer)
    } else {
      const answer = run ? await run(userId, context) : undefined
      const declared = await eraseDeclaredPersonalData(
        trx,
        catalog,
        models,
        tenant.schema_name,
        userId
      )
      if (run || Object.keys(declared).length) results[manifest.name] = merged(declared, answer)
    }
  }
  if (hook === 'exportPersonalData') await collections()
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
