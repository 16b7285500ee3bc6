import db from '@adonisjs/lucid/services/db'
import { intern, tenantCache } from '../cache/index.js'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  E_PLUGIN_DEPENDENCIES_MISSING,
  E_PLUGIN_DISABLED,
  E_PLUGIN_NOT_FOUND,
  E_PLUGIN_REQUIRED_BY,
  E_PLUGIN_UNAVAILABLE,
  E_PLUGIN_UNINSTALL_BLOCKED,
} from '../errors.js'
import type { EventHandler, OryneEvent } from '../events/events.js'
import { defineJob } from '../jobs/define_job.js'
import type { TenantMigrationSet } from '../tenancy/migrations/define_tenant_migration.js'
import type { SchemaPlan } from '../tenancy/schema_templates.js'
import { TenantMigrator } from '../tenancy/migrations/tenant_migrator.js'
import { scopeToTenant } from '../tenancy/tenant_db.js'
import type { TenantRegistry } from '../tenancy/tenant_registry.js'
import type { Actor, Tenant } from '../tenancy/types.js'
import { withDependencies, type AvailablePlugin, type CatalogEntry } from './catalog.js'
import type { PluginManifest } from './define_plugin.js'
import {
  grantRecords,
  grantsChanged,
  grantsDigest,
  reconcileGrants,
  reconcileGrantsOf,
  type GrantChanges,
} from './grants.js'
import { effectiveSettings, validateSettingChanges } from './settings.js'
import {
  dependentsOutside,
  dropTables,
  dropViews,
  E_PLUGIN_PURGE_BLOCKED,
  pluginTables,
  pluginViews,
  type PluginTable,
  type PluginView,
} from './uninstall.js'

export type TenantPluginState = {
  name: string
  version: string | null
  available: boolean
  status: 'enabled' | 'disabled' | 'not_installed'
  enabled_at: Date | null
}

/** What `uninstall --purge` drops for one tenant (the dry run shows it, the real run does it). */
export type UninstallPlan = {
  plugin: string
  tenant: string
  installed: boolean
  tables: PluginTable[]
  /** Dropped before the tables they read. */
  views: PluginView[]
  ledger_rows: number
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
 * takes effect at once in every running process: the enabled plugins and their
 * settings per tenant live in the process's tenant cache (core/cache), cleared
 * through `onChange` everywhere.
 */
export class PluginHost {
  #migrator = new TenantMigrator()

  constructor(
    private entries: Map<string, CatalogEntry>,
    private registry: TenantRegistry,
    private options: {
      cacheTtlMs: number
      onChange?: (tenantId: string) => void
      /** After plugins were enabled for a tenant (committed): e.g. start their per-tenant schedules. */
      afterEnable?: (tenant: Tenant, manifests: PluginManifest[]) => Promise<unknown>
      /** After a plugin was disabled for a tenant (committed). */
      afterDisable?: (tenant: Tenant, manifest: PluginManifest) => Promise<unknown>
    }
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

  /** The folder of a plugin's manifest (its migrations and snapshot live there). */
  directory(name: string): string | undefined {
    return this.entries.get(name)?.directory
  }

  invalidate(tenantId?: string) {
    tenantCache.invalidate({ tenantId, kind: 'plugins' })
    tenantCache.invalidate({ tenantId, kind: 'plugin_settings' })
  }

  /** A cached read of the tenant cache, or a plain read when the host caches nothing (a lifetime of 0). */
  #cached<T>(
    kind: 'plugins' | 'plugin_settings',
    tenantId: string,
    key: string,
    load: () => Promise<T>
  ) {
    if (this.options.cacheTtlMs <= 0) return load()
    return tenantCache.get(kind, tenantId, key, load, this.options.cacheTtlMs)
  }

  /** Registers the jobs of every available plugin (defineJob is idempotent for the same handler). */
  registerJobs() {
    for (const { manifest } of this.available())
      for (const job of manifest.jobs ?? []) defineJob(job)
  }

  /** Handlers of `event` from the plugins its tenant enabled, dependencies first. */
  async eventHandlers(event: OryneEvent): Promise<EventHandler[]> {
    const enabled = await this.enabledNames(event.tenantId)
    return withDependencies(this.entries, [...enabled].sort())
      .map((name) => this.entries.get(name))
      .flatMap((entry) => (entry?.available && entry.manifest.events?.[event.name]) || [])
  }

  /** Manifests of the plugins enabled for a tenant, dependencies first. */
  async enabledManifests(tenantId: string): Promise<PluginManifest[]> {
    const enabled = await this.enabledNames(tenantId)
    return withDependencies(this.entries, [...enabled].sort())
      .filter((name) => enabled.has(name) && this.entries.get(name)?.available)
      .map((name) => this.plugin(name))
  }

  async enabledNames(tenantId: string): Promise<Set<string>> {
    return this.#cached('plugins', tenantId, 'enabled', async () => {
      const rows = await db
        .from('tenant_plugins')
        .where({ tenant_id: tenantId, status: 'enabled' })
        .select('plugin')
      return new Set(rows.map((row) => intern(row.plugin as string)))
    })
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
   * What `names` and their dependencies (first) add to a new tenant's schema:
   * their migration sets, versions and grants digests.
   */
  schemaPlan(names: string[]): SchemaPlan {
    const manifests = withDependencies(this.entries, names).map((name) => this.plugin(name))
    return {
      sets: manifests.map((m) => ({ owner: m.name, migrations: m.migrations ?? [] })),
      plugins: manifests.map((m) => ({
        name: m.name,
        version: m.version,
        grantsDigest: grantsDigest(m),
      })),
    }
  }

  /** Seeds the default grants of a plan's plugins into a new schema (`trx` is scoped to it). */
  async seedGrants(trx: TransactionClientContract, plan: SchemaPlan) {
    await reconcileGrantsOf(
      trx,
      plan.plugins.map(({ name }) => ({ manifest: this.plugin(name), installedBefore: false }))
    )
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
    const enabledNow = await db.transaction(async (trx) => {
      await lockTenant(trx, tenant)
      return this.enableWithin(trx, tenant, names, options)
    })
    await this.announceEnabled(tenant, enabledNow)
    return enabledNow
  }

  /**
   * The work of `enable` inside the caller's transaction, which must hold the
   * tenant's provisioning lock (provisioning enables the plugins asked for at
   * creation before it commits `active`). Call `announceEnabled` after the commit.
   */
  async enableWithin(
    trx: TransactionClientContract,
    tenant: Tenant,
    names: string[],
    options: { actor: Actor; withDependencies?: boolean }
  ): Promise<string[]> {
    names.forEach((name) => this.plugin(name))
    const order = withDependencies(this.entries, names)
    const rows = await trx.from('tenant_plugins').where({ tenant_id: tenant.id })
    const installed = new Set(rows.map((row) => row.plugin as string))
    const already = new Set(
      rows.filter((row) => row.status === 'enabled').map((row) => row.plugin as string)
    )
    const missing = order.filter((name) => !names.includes(name) && !already.has(name))
    if (options.withDependencies === false && missing.length) {
      throw new E_PLUGIN_DEPENDENCIES_MISSING([names.join(', '), missing.join(', ')], {
        details: { missing },
      })
    }
    const toEnable = order.filter((name) => !already.has(name))
    await scopeToTenant(trx, tenant)
    const manifests = toEnable.map((name) => this.plugin(name))
    await this.#migrator.migrate(
      trx,
      manifests.map((manifest) => ({
        owner: manifest.name,
        migrations: manifest.migrations ?? [],
      })),
      'replay'
    )
    // Enabling again after an upgrade brings the new version's grants, like `oryne migrate`.
    await reconcileGrantsOf(
      trx,
      manifests.map((manifest) => ({ manifest, installedBefore: installed.has(manifest.name) }))
    )
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
  }

  /** After the commit of an `enableWithin`: caches, role grants and plugin schedules catch up. */
  async announceEnabled(tenant: Tenant, enabledNow: string[]) {
    this.#changed(tenant.id)
    if (enabledNow.length) {
      await this.options.afterEnable?.(
        tenant,
        enabledNow.map((name) => this.plugin(name))
      )
    }
  }

  /**
   * Enables `names` for every active tenant, one tenant (one transaction) at a
   * time; a tenant that refuses does not stop the others. Returns each
   * tenant's outcome.
   */
  async enableForAllTenants(
    names: string[],
    options: { actor: Actor; withDependencies?: boolean }
  ): Promise<Array<{ tenant: string; enabled?: string[]; error?: unknown }>> {
    names.forEach((name) => this.plugin(name))
    const outcomes: Array<{ tenant: string; enabled?: string[]; error?: unknown }> = []
    for (let page = 1; ; page++) {
      const { tenants, pagination } = await this.registry.list({
        status: 'active',
        page,
        perPage: 200,
      })
      for (const tenant of tenants) {
        try {
          outcomes.push({ tenant: tenant.slug, enabled: await this.enable(tenant, names, options) })
        } catch (error) {
          outcomes.push({ tenant: tenant.slug, error })
        }
      }
      if (page >= pagination.last_page) break
    }
    return outcomes
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
    await this.options.afterDisable?.(tenant, this.plugin(name))
  }

  /** The tenant's settings of a plugin, defaults applied; cached per tenant in every process. */
  async settings(tenantId: string, name: string): Promise<Record<string, unknown>> {
    const manifest = this.plugin(name)
    return this.#cached('plugin_settings', tenantId, name, async () => {
      const row = await db
        .from('tenant_plugins')
        .where({ tenant_id: tenantId, plugin: name })
        .select('settings')
        .first()
      return effectiveSettings(manifest, row?.settings ?? {})
    })
  }

  /** Settings with what a tenant admin needs to change them: defaults, what was set, the schema. */
  async settingsView(tenant: Tenant, name: string) {
    const manifest = this.plugin(name)
    const row = await db
      .from('tenant_plugins')
      .where({ tenant_id: tenant.id, plugin: name })
      .select('settings', 'status')
      .first()
    return {
      plugin: name,
      status: (row?.status ?? 'not_installed') as TenantPluginState['status'],
      values: effectiveSettings(manifest, row?.settings ?? {}),
      defaults: manifest.settings?.defaults ?? {},
      set: row?.settings ?? {},
      schema: manifest.settings?.schema.toJSONSchema() ?? null,
    }
  }

  /**
   * Validates `changes` against the plugin's settings schema (on top of the
   * current values) and stores them for the tenant; every process sees them
   * at once. The plugin must be installed for the tenant (enabled or disabled).
   */
  async updateSettings(
    tenant: Tenant,
    name: string,
    changes: Record<string, unknown>,
    options: { actor: Actor }
  ) {
    const manifest = this.plugin(name)
    await db.transaction(async (trx) => {
      await lockTenant(trx, tenant)
      const row = await trx
        .from('tenant_plugins')
        .where({ tenant_id: tenant.id, plugin: name })
        .forUpdate()
        .first()
      if (!row) throw new E_PLUGIN_DISABLED([name])
      const stored = row.settings ?? {}
      const { values, cleared } = await validateSettingChanges(
        manifest,
        effectiveSettings(manifest, stored),
        changes
      )
      const kept = Object.fromEntries(
        Object.entries(stored).filter(([key]) => !cleared.includes(key))
      )
      await trx
        .from('tenant_plugins')
        .where({ tenant_id: tenant.id, plugin: name })
        .update({ settings: JSON.stringify({ ...kept, ...values }), updated_at: new Date() })
      await this.registry.record(trx, tenant.id, {
        event: 'plugin.settings_changed',
        actor: options.actor,
        data: { plugin: name, changed: [...Object.keys(values), ...cleared] },
      })
    })
    this.#changed(tenant.id)
    return this.settingsView(tenant, name)
  }

  /** Enabled or disabled plugins of the tenant that depend on `name`. */
  async #installedDependents(trx: TransactionClientContract, tenant: Tenant, name: string) {
    const rows = await trx.from('public.tenant_plugins').where({ tenant_id: tenant.id })
    return rows
      .filter((row) => {
        const entry = this.entries.get(row.plugin)
        return entry?.available && Object.hasOwn(entry.manifest.dependencies ?? {}, name)
      })
      .map((row) => ({ name: row.plugin as string, status: row.status as string }))
  }

  /** What uninstalling would drop for the tenant: its views, its tables with row counts, ledger rows. */
  async uninstallPlan(tenant: Tenant, name: string): Promise<UninstallPlan> {
    const manifest = this.plugin(name)
    return db.transaction(async (trx) => {
      await scopeToTenant(trx, tenant)
      return this.#plan(trx, tenant, manifest)
    })
  }

  async #plan(trx: TransactionClientContract, tenant: Tenant, manifest: PluginManifest) {
    const row = await trx
      .from('public.tenant_plugins')
      .where({ tenant_id: tenant.id, plugin: manifest.name })
      .first()
    const tables = await pluginTables(trx, tenant, manifest)
    const views = await pluginViews(trx, tenant, manifest)
    const ledger = await this.#migrator.applied(trx)
    const ledgerRows = [...ledger.keys()].filter((key) => key.startsWith(`${manifest.name}/`))
    return {
      plugin: manifest.name,
      tenant: tenant.slug,
      installed: Boolean(row) || ledgerRows.length > 0 || tables.length > 0 || views.length > 0,
      tables,
      views,
      ledger_rows: ledgerRows.length,
    }
  }

  /**
   * Uninstalls a plugin from a tenant for good: refuses while a plugin that
   * depends on it is installed there, runs `beforeDrop` (the backup) once the
   * plan is known, then in one transaction drops the plugin's views and
   * tables, its ledger rows, its permissions in the tenant's roles and its
   * tenant_plugins row. Nothing is dropped with CASCADE: while an object the
   * plugin did not create (another plugin's view or foreign key, a view made
   * by hand) depends on them, it refuses with ERR_PLUGIN_PURGE_BLOCKED.
   */
  async uninstall(
    tenant: Tenant,
    name: string,
    options: { actor: Actor; beforeDrop?: (plan: UninstallPlan) => Promise<unknown> }
  ): Promise<UninstallPlan & { backup: unknown }> {
    const manifest = this.plugin(name)
    const check = async (trx: TransactionClientContract) => {
      const dependents = await this.#installedDependents(trx, tenant, name)
      const enabled = dependents.filter((d) => d.status === 'enabled').map((d) => d.name)
      if (enabled.length)
        throw new E_PLUGIN_REQUIRED_BY([name, enabled.join(', ')], {
          details: { dependents: enabled },
        })
      if (dependents.length) {
        const names = dependents.map((d) => d.name)
        throw new E_PLUGIN_UNINSTALL_BLOCKED([name, names.join(', ')], {
          details: { dependents: names },
        })
      }
    }
    const purgeable = async (trx: TransactionClientContract, plan: UninstallPlan) => {
      const outside = await dependentsOutside(trx, tenant, [
        ...plan.views.map((v) => v.view),
        ...plan.tables.map((t) => t.table),
      ])
      if (outside.length)
        throw new E_PLUGIN_PURGE_BLOCKED([name, outside.join(', ')], {
          details: { dependents: outside },
        })
    }
    const plan = await db.transaction(async (trx) => {
      await check(trx)
      await scopeToTenant(trx, tenant)
      const found = await this.#plan(trx, tenant, manifest)
      await purgeable(trx, found)
      return found
    })
    if (!plan.installed) return { ...plan, backup: null }
    const backup = options.beforeDrop ? await options.beforeDrop(plan) : null

    const dropped = await db.transaction(async (trx) => {
      await lockTenant(trx, tenant)
      await check(trx)
      await scopeToTenant(trx, tenant)
      const current = await this.#plan(trx, tenant, manifest)
      await purgeable(trx, current)
      await dropViews(trx, tenant, current.views)
      await dropTables(
        trx,
        current.tables.map((t) => t.table)
      )
      await trx.from('oryne_migrations').where('owner', name).delete()
      await trx.from('plugin_grants').where('plugin', name).delete()
      await trx.rawQuery(
        `UPDATE roles SET permissions = (
           SELECT coalesce(jsonb_agg(value ORDER BY value), '[]'::jsonb)
           FROM jsonb_array_elements_text(permissions) AS value WHERE value NOT LIKE ?
         ) WHERE permissions::text LIKE ?`,
        [`${name}.%`, `%"${name}.%`]
      )
      await trx.rawQuery(`SELECT set_config('search_path', 'public', true)`)
      await trx.from('tenant_plugins').where({ tenant_id: tenant.id, plugin: name }).delete()
      await this.registry.record(trx, tenant.id, {
        event: 'plugin.uninstalled',
        actor: options.actor,
        data: { plugin: name, tables: current.tables, views: current.views },
      })
      return current
    })
    this.#changed(tenant.id)
    return { ...dropped, backup }
  }

  #changed(tenantId: string) {
    this.invalidate(tenantId)
    this.options.onChange?.(tenantId)
  }

  /**
   * Brings the grants of the plugins a tenant enabled to the versions
   * installed, inside the caller's transaction (scoped to the tenant's schema,
   * under its lock), and records those versions in `tenant_plugins`: `oryne
   * migrate` calls it once a tenant has no pending migration. Roles that
   * changed are dropped from every process's cache after the commit. Returns
   * the changes, one entry per plugin that changed something.
   */
  async reconcileGrants(
    trx: TransactionClientContract,
    tenantId: string,
    enabled: string[]
  ): Promise<GrantChanges[]> {
    const changes: GrantChanges[] = []
    const available = enabled.filter((name) => this.entries.get(name)?.available)
    const records = await grantRecords(trx)
    for (const name of withDependencies(this.entries, available)) {
      if (!available.includes(name)) continue
      const manifest = this.plugin(name)
      const recorded = records.get(name) ?? null
      // The usual case: the recorded grants are this release's, nothing to read or write.
      if (recorded?.digest === grantsDigest(manifest) && recorded.version === manifest.version)
        continue
      const changed = await reconcileGrants(trx, manifest, { installedBefore: true, recorded })
      if (grantsChanged(changed)) changes.push(changed)
      await trx
        .from('public.tenant_plugins')
        .where({ tenant_id: tenantId, plugin: name })
        .whereNot('version', manifest.version)
        .update({ version: manifest.version, updated_at: new Date() })
    }
    if (changes.length) trx.after('commit', () => this.#changed(tenantId))
    return changes
  }
}
