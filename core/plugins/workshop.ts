import { existsSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { E_PLUGIN_MIGRATION_UNSAFE } from '../errors.js'
import type { ResourceDefinition } from '../resources/define_resource.js'
import {
  describeChange,
  diffTables,
  migrationSlug,
  renderMigration,
  unsafeReason,
  type SchemaChange,
} from '../resources/migration_generator.js'
import {
  hasSnapshot,
  readSnapshot,
  snapshotTables,
  targetResolver,
  writeSnapshot,
  type PluginSnapshot,
} from '../resources/snapshot.js'
import type { TenantMigration } from '../tenancy/migrations/define_tenant_migration.js'
import { compileSet } from '../tenancy/migrations/tenant_migrator.js'
import type { PluginManifest } from './define_plugin.js'

/*
 * Authoring tools behind `oryne plugin make-migration` and `oryne plugin check`:
 * a plugin's resources against the snapshot committed with its migrations.
 */

export type PluginSource = {
  manifest: PluginManifest
  directory: string
  /** Resources of another plugin (a declared dependency), for references to it. */
  resourcesOf?: (plugin: string) => ResourceDefinition[]
}

const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.(ts|js)$/

const migrationsDir = (source: PluginSource) => join(source.directory, 'migrations')

/** The migration files in the plugin's migrations/ folder, by name. */
async function migrationFiles(source: PluginSource): Promise<string[]> {
  const dir = migrationsDir(source)
  if (!existsSync(dir)) return []
  const names = await readdir(dir)
  return names.filter((name) => MIGRATION_FILE.test(name)).sort()
}

/** Every migration of the plugin: the manifest's, and any file of migrations/ it does not list. */
async function allMigrations(source: PluginSource): Promise<TenantMigration[]> {
  const migrations = [...(source.manifest.migrations ?? [])]
  for (const file of await migrationFiles(source)) {
    const module = await import(pathToFileURL(join(migrationsDir(source), file)).href)
    const migration = module.default as TenantMigration
    if (!migrations.some((m) => m.name === migration.name)) migrations.push(migration)
  }
  return migrations
}

/** Checksums of the SQL each migration runs: the same ones the tenant ledger records. */
async function checksums(source: PluginSource): Promise<Record<string, string>> {
  const compiled = compileSet({
    owner: source.manifest.name,
    migrations: await allMigrations(source),
  })
  return Object.fromEntries(compiled.map((m) => [m.name, m.checksum]))
}

function currentTables(source: PluginSource) {
  const resources = source.manifest.resources ?? []
  return snapshotTables(
    source.manifest.name,
    resources,
    targetResolver(source.manifest.name, resources, source.resourcesOf)
  )
}

export type MigrationPlan = {
  plugin: string
  changes: SchemaChange[]
  /** Plain-language lines, one per change. */
  summary: string[]
  /** Changes that could fail or lose data on existing rows. */
  unsafe: string[]
  /** Drops that lose data (listed, never refused). */
  drops: string[]
  name: string | null
  file: string | null
}

async function nextName(source: PluginSource, changes: SchemaChange[]) {
  const numbers = [
    ...(source.manifest.migrations ?? []).map((m) => m.name),
    ...(await migrationFiles(source)),
  ].map((name) => Number(name.slice(0, 4)) || 0)
  const next = String(Math.max(0, ...numbers) + 1).padStart(4, '0')
  return `${next}_${migrationSlug(changes)}`
}

/** What `make-migration` would write: the changes from the snapshot to the resources now. */
export async function planMigration(source: PluginSource): Promise<MigrationPlan> {
  const snapshot = await readSnapshot(migrationsDir(source), source.manifest.name)
  const changes = diffTables(snapshot.tables, currentTables(source))
  const name = changes.length ? await nextName(source, changes) : null
  return {
    plugin: source.manifest.name,
    changes,
    summary: changes.map(describeChange),
    unsafe: changes.map(unsafeReason).filter((reason): reason is string => reason !== null),
    drops: changes
      .filter((c) => c.kind === 'drop_table' || c.kind === 'drop_column')
      .map(describeChange),
    name,
    file: name ? join(migrationsDir(source), `${name}.ts`) : null,
  }
}

/**
 * Writes the migration for the resource changes (refusing changes that could
 * fail on existing rows unless `allowUnsafe`) and the new snapshot. With no
 * resource change it only records the checksums of the migrations as they are.
 */
export async function makeMigration(
  source: PluginSource,
  options: { allowUnsafe?: boolean } = {}
): Promise<MigrationPlan> {
  const plan = await planMigration(source)
  if (plan.unsafe.length && !options.allowUnsafe) {
    const details = plan.unsafe.map((reason) => {
      const at = reason.indexOf(': ')
      return { field: reason.slice(0, at), message: reason.slice(at + 2) }
    })
    throw new E_PLUGIN_MIGRATION_UNSAFE([source.manifest.name], { details })
  }
  const dir = migrationsDir(source)
  await mkdir(dir, { recursive: true })
  const before = await readSnapshot(dir, source.manifest.name)
  const after = currentTables(source)
  if (plan.file) {
    await writeFile(plan.file, renderMigration({ name: plan.name!, before: before.tables, after }))
  }
  const snapshot: PluginSnapshot = {
    plugin: source.manifest.name,
    tables: after,
    migrations: await checksums(source),
  }
  await writeSnapshot(dir, snapshot)
  return plan
}

/**
 * Where the plugin's resources and migrations disagree: resource changes with
 * no migration yet, and migrations added, removed or edited since the
 * snapshot (by the checksum of their SQL). Empty when they agree.
 */
export async function checkPlugin(source: PluginSource): Promise<string[]> {
  const dir = migrationsDir(source)
  const resources = source.manifest.resources ?? []
  if (!hasSnapshot(dir)) {
    return resources.length
      ? [`resources have no generated migration yet (no migrations/.snapshot.json)`]
      : []
  }
  const snapshot = await readSnapshot(dir, source.manifest.name)
  const problems = diffTables(snapshot.tables, currentTables(source)).map(
    (change) => `not migrated yet: ${describeChange(change)}`
  )
  const now = await checksums(source)
  for (const [name, checksum] of Object.entries(now)) {
    if (!snapshot.migrations[name]) problems.push(`migration ${name} is not in the snapshot`)
    else if (snapshot.migrations[name] !== checksum)
      problems.push(`migration ${name} was edited after the snapshot (checksum differs)`)
  }
  for (const name of Object.keys(snapshot.migrations)) {
    if (!now[name]) problems.push(`migration ${name} is in the snapshot but no longer exists`)
  }
  const listed = new Set((source.manifest.migrations ?? []).map((m) => m.name))
  for (const file of await migrationFiles(source)) {
    const name = file.replace(/\.(ts|js)$/, '')
    if (!listed.has(name)) problems.push(`migration ${name} is not in the manifest's migrations`)
  }
  return problems
}

/**
 * The plugin's custom routes that do not describe themselves for the OpenAPI
 * document (`.describe({ summary, ... })`, docs/plugins.md "Routes"): its
 * `routes` function is run against a router that only records what it is
 * given, so nothing is served and no application is needed.
 */
export function undescribedRoutes(manifest: PluginManifest): string[] {
  if (!manifest.routes) return []
  const routes: Array<{ method: string; path: string; described: boolean }> = []
  const chain = (entry?: { described: boolean }): any =>
    new Proxy(
      {},
      {
        get: (_target, property) => (property === 'then' ? undefined : chained(property, entry)),
      }
    )
  const chained =
    (property: string | symbol, entry?: { described: boolean }) =>
    (...args: unknown[]) => {
      if (property === 'describe' && entry)
        entry.described = Boolean((args[0] as { summary?: string } | undefined)?.summary)
      return chain(entry)
    }
  const verb =
    (...methods: string[]) =>
    (path: string) => {
      const entry = { described: false }
      for (const method of methods) routes.push({ method, path, described: false })
      const added = routes.slice(-methods.length)
      return chain(
        new Proxy(entry, {
          set: (target, key, value) => {
            for (const route of added) route.described = value
            return Reflect.set(target, key, value)
          },
        })
      )
    }
  const router = new Proxy(
    {
      get: verb('GET'),
      post: verb('POST'),
      put: verb('PUT'),
      patch: verb('PATCH'),
      delete: verb('DELETE'),
      any: verb('ANY'),
      group(callback: () => void) {
        callback()
        return chain()
      },
    },
    { get: (target, property) => (target as any)[property] ?? chained(property) }
  )
  manifest.routes(router as never)
  return routes
    .filter((route) => !route.described)
    .map(
      (route) =>
        `route ${route.method} /api/v1/${manifest.name}${route.path} is not described for the OpenAPI document (.describe({ summary, body, status, errors }))`
    )
}
