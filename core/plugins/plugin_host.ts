import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  E_PLUGIN_DEPENDENCIES_MISSING,
  E_PLUGIN_NOT_FOUND,
  E_PLUGIN_REQUIRED_BY,
  E_PLUGIN_UNAVAILABLE,
} from '../errors.js'
import type { TenantMigrationSet } from '../tenancy/migrations/define_tenant_migration.js'
import { TenantMigrator } from '../tenancy/migrations/tenant_migrator.js'
import { scopeToTenant } from '../tenancy/tenant_db.js'
import type { TenantRegistry } from '../tenancy/tenant_registry.js'
import type { Actor, Tenant } from '../tenancy/types.js'
import { withDependencies, type AvailablePlugin, type CatalogEntry } from './catalog.js'
import type { PluginManifest } from './define_plugin.js'

export type TenantPluginState = {
  name: string
  version: string | null
  available: boolean
  status: 'enabled' | 'disabled' | 'not_installed'
  enabled_at: Date | null
}

/** The per-tenant lock shared by provisioning, migrations and plugin changes. */
function lockTenant(trx: TransactionClientContract, tenant: Tenant) {
  return trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [`oryne:provision:${tenant.id}`])
}

/**
 * Plugins per tenant. Enabling runs the plugin's migrations (and its missing
 * dependencies', first) in the tenant schema and seeds its default grants, all
 * in one transaction; disabling keeps the data. Routes of every available plugin
 * are mounted at boot and answer only for tenants that enabled it, so a change
 * takes effect at once in every running process: each keeps a short cache of
 * enabled plugins per tenant, cleared through `onChange` everywhere.
 */
export class PluginHost {
  #migrator = new TenantMigrator()
  #enabled = new Map<string, { names: Set<string>; expires: number }>()

  constructor(
    private entries: Map<string, CatalogEntry>,
    private registry: TenantRegistry,
    private options: { cacheTtlMs: number; onChange?: (tenantId: string) => void }
  ) {}

  catalog(): CatalogEntry[] {
    return [...this.entries.values()].sort((a, b) => this.#name(a).localeCompare(this.#name(b)))
  }

  #name(entry: CatalogEntry) {
    return entry.available ? entry.manifest.name : entry.name
  }

  entry(name: string): CatalogEntry | undefined {
    return this.entries.get(name)
  }

  available(): AvailablePlugin[] {
    return this.catalog().filter((entry): entry is AvailablePlugin => entry.available)
  }

  /** The manifest of an available plugin, or the error saying why it cannot be used. */
  plugin(name: string): PluginManifest {
    const entry = this.entries.get(name)
    if (!entry) throw new E_PLUGIN_NOT_FOUND([name])
    if (!entry.available)
      throw new E_PLUGIN_UNAVAILABLE([name, entry.reasons[0]], { details: entry.reasons })
    return entry.manifest
  }

  /** Records the plugins this installation sees (name and version), once each. */
  async syncRegistry() {
    const rows = this.available().map(({ manifest, source }) => ({
      name: manifest.name,
      version: manifest.version,
      description: manifest.description ?? null,
      source,
    }))
    if (rows.length)
      await db.table('plugins').multiInsert(rows).knexQuery.onConflict(['name', 'version']).ignore()
  }

  invalidate(tenantId?: string) {
    if (tenantId) this.#enabled.delete(tenantId)
    else this.#enabled.clear()
  }

  async enabledNames(tenantId: string): Promise<Set<string>> {
    const hit = this.#enabled.get(tenantId)
    if (hit && hit.expires > Date.now()) return hit.names
    const rows = await db
      .from('tenant_plugins')
      .where({ tenant_id: tenantId, status: 'enabled' })
      .select('plugin')
    const names = new Set(rows.map((row) => row.plugin as string))
    this.#enabled.set(tenantId, { names, expires: Date.now() + this.options.cacheTtlMs })
    return names
  }

  async isEnabled(tenantId: string, name: string) {
    const enabled = await this.enabledNames(tenantId)
    return enabled.has(name)
  }

  /** Every installed plugin with its state for this tenant. */
  async forTenant(tenant: Tenant): Promise<TenantPluginState[]> {
    const rows = await db.from('tenant_plugins').where('tenant_id', tenant.id)
    const byName = new Map(rows.map((row) => [row.plugin as string, row]))
    return this.catalog().map((entry) => {
      const name = this.#name(entry)
      const row = byName.get(name)
      return {
        name,
        version:
          row?.version ?? (entry.available ? entry.manifest.version : (entry.version ?? null)),
        available: entry.available,
        status: row?.status ?? 'not_installed',
        enabled_at: row?.enabled_at ?? null,
      }
    })
  }

  /** Migration sets of the plugins enabled for a tenant, dependencies first. */
  async migrationSets(
    tenantId: string,
    client: TransactionClientContract
  ): Promise<TenantMigrationSet[]> {
    const rows = await client
      .from('public.tenant_plugins')
      .where({ tenant_id: tenantId, status: 'enabled' })
    const names = withDependencies(
      this.entries,
      rows.map((row) => row.plugin as string).filter((name) => this.entries.get(name)?.available)
    )
    return names.map((name) => ({ owner: name, migrations: this.plugin(name).migrations ?? [] }))
  }

  /**
   * Enables `names` for the tenant, their dependencies first (or refuses, with
   * `withDependencies: false`, naming the missing ones). Returns the plugins
   * that were enabled by this call, in order.
   */
  async enable(
    tenant: Tenant,
    names: string[],
    options: { actor: Actor; withDependencies?: boolean }
  ): Promise<string[]> {
    names.forEach((name) => this.plugin(name))
    const order = withDependencies(this.entries, names)
    const enabledNow = await db.transaction(async (trx) => {
      await lockTenant(trx, tenant)
      const rows = await trx
        .from('tenant_plugins')
        .where({ tenant_id: tenant.id, status: 'enabled' })
      const already = new Set(rows.map((row) => row.plugin as string))
      const missing = order.filter((name) => !names.includes(name) && !already.has(name))
      if (options.withDependencies === false && missing.length) {
        throw new E_PLUGIN_DEPENDENCIES_MISSING([names.join(', '), missing.join(', ')], {
          details: { missing },
        })
      }
      const toEnable = order.filter((name) => !already.has(name))
      await scopeToTenant(trx, tenant)
      for (const name of toEnable) {
        const manifest = this.plugin(name)
        await this.#migrator.migrate(
          trx,
          [{ owner: name, migrations: manifest.migrations ?? [] }],
          'replay'
        )
        await this.#seedGrants(trx, manifest)
      }
      await trx.rawQuery(`SELECT set_config('search_path', 'public', true)`)
      for (const name of toEnable) {
        const version = this.plugin(name).version
        await trx.rawQuery(
          `INSERT INTO tenant_plugins (tenant_id, plugin, version, status, enabled_at, updated_at)
           VALUES (?, ?, ?, 'enabled', now(), now())
           ON CONFLICT (tenant_id, plugin) DO UPDATE
             SET status = 'enabled', version = EXCLUDED.version, enabled_at = now(), updated_at = now()`,
          [tenant.id, name, version]
        )
        await this.registry.record(trx, tenant.id, {
          event: 'plugin.enabled',
          actor: options.actor,
          data: { plugin: name, version, as_dependency: !names.includes(name) },
        })
      }
      return toEnable
    })
    this.#changed(tenant.id)
    return enabledNow
  }

  /** Disables one plugin for the tenant; its tables and rows stay. */
  async disable(tenant: Tenant, name: string, options: { actor: Actor }) {
    this.plugin(name)
    await db.transaction(async (trx) => {
      await lockTenant(trx, tenant)
      const rows = await trx
        .from('tenant_plugins')
        .where({ tenant_id: tenant.id, status: 'enabled' })
      const dependents = rows
        .map((row) => row.plugin as string)
        .filter((other) => {
          const entry = this.entries.get(other)
          return entry?.available && Object.hasOwn(entry.manifest.dependencies ?? {}, name)
        })
      if (dependents.length) {
        throw new E_PLUGIN_REQUIRED_BY([name, dependents.join(', ')], { details: { dependents } })
      }
      const updated = await trx
        .from('tenant_plugins')
        .where({ tenant_id: tenant.id, plugin: name, status: 'enabled' })
        .update({ status: 'disabled', disabled_at: new Date(), updated_at: new Date() })
      if (Number(updated)) {
        await this.registry.record(trx, tenant.id, {
          event: 'plugin.disabled',
          actor: options.actor,
          data: { plugin: name },
        })
      }
    })
    this.#changed(tenant.id)
  }

  #changed(tenantId: string) {
    this.invalidate(tenantId)
    this.options.onChange?.(tenantId)
  }

  /** Adds the plugin's default grants to the built-in roles (never removes what a tenant admin added). */
  async #seedGrants(trx: TransactionClientContract, manifest: PluginManifest) {
    for (const [role, granted] of Object.entries(manifest.grants ?? {})) {
      const permissions = (granted ?? []).flatMap((permission) =>
        permission === `${manifest.name}.*` ? (manifest.permissions ?? []) : [permission]
      )
      await trx.rawQuery(
        `UPDATE roles SET permissions = (
           SELECT coalesce(jsonb_agg(DISTINCT value ORDER BY value), '[]'::jsonb)
           FROM jsonb_array_elements_text(permissions || ?::jsonb) AS value
         ) WHERE name = ?`,
        [JSON.stringify(permissions), role]
      )
    }
  }
}
