import { createHash } from 'node:crypto'
import type { TenantMigrationSet } from '../tenancy/migrations/define_tenant_migration.js'
import { compileSet, type CompiledMigration } from '../tenancy/migrations/tenant_migrator.js'
import { withDependencies, type CatalogEntry } from '../plugins/catalog.js'
import { grantsDigest } from '../plugins/grants.js'
import type { PluginHost } from '../plugins/plugin_host.js'

/** What a tenant's schema should hold: core's migrations, then its plugins', dependencies first. */
export type MigrationTarget = {
  sets: TenantMigrationSet[]
  migrations: CompiledMigration[]
  /**
   * sha256 over every `owner/name:checksum`, in order, then each plugin's
   * grants digest: equal fingerprints, equal schemas and equal default grants.
   */
  fingerprint: string
}

export function fingerprintOf(migrations: CompiledMigration[], grants: string[] = []) {
  const hash = createHash('sha256')
  for (const m of migrations) hash.update(`${m.owner}/${m.name}:${m.checksum}\n`)
  for (const line of grants) hash.update(`grants ${line}\n`)
  return hash.digest('hex')
}

/**
 * Targets per set of enabled plugins, computed once per distinct set: a fleet
 * of 1,000 tenants has a handful of plugin combinations, so checking it costs
 * a few hashes, not 1,000.
 */
export class MigrationTargets {
  #byPlugins = new Map<string, MigrationTarget>()
  #entries: Map<string, CatalogEntry>

  constructor(
    private coreSets: TenantMigrationSet[],
    private plugins: PluginHost
  ) {
    this.#entries = new Map(
      plugins.catalog().map((entry) => [entry.available ? entry.manifest.name : entry.name, entry])
    )
  }

  /** Plugins enabled for a tenant that this installation can run, dependencies first. */
  ordered(enabled: string[]) {
    const available = [...enabled].sort().filter((name) => this.#entries.get(name)?.available)
    return withDependencies(this.#entries, available)
  }

  for(enabled: string[]): MigrationTarget {
    const key = [...enabled].sort().join(',')
    let target = this.#byPlugins.get(key)
    if (!target) {
      const plugins = this.ordered(enabled).map((name) => this.plugins.plugin(name))
      const sets = [
        ...this.coreSets,
        ...plugins.map((plugin) => ({ owner: plugin.name, migrations: plugin.migrations ?? [] })),
      ]
      const migrations = sets.flatMap(compileSet)
      // A release that changes a plugin's grants leaves its tenants behind, like a new migration.
      const grants = plugins.map((plugin) => `${plugin.name}:${grantsDigest(plugin)}`)
      target = { sets, migrations, fingerprint: fingerprintOf(migrations, grants) }
      this.#byPlugins.set(key, target)
    }
    return target
  }
}
