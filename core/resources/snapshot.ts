import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FieldDefinition, ResourceDefinition } from './define_resource.js'

/*
 * The schema a plugin's resources describe, as the tables and columns they map
 * to (the column mapping every part of Oryne shares; docs/plugins.md). A plugin
 * commits the snapshot its last generated migration was diffed against
 * (migrations/.snapshot.json); the next migration is the difference between it
 * and the resources as they are now.
 */

export type ColumnType =
  | 'varchar'
  | 'text'
  | 'integer'
  | 'numeric'
  | 'boolean'
  | 'date'
  | 'timestamptz'
  | 'enum'
  | 'jsonb'
  | 'bigint'
  | 'uuid'

export type OnDelete = 'restrict' | 'cascade' | 'set null'

export type ColumnSnapshot = {
  type: ColumnType
  length?: number
  precision?: number
  scale?: number
  values?: string[]
  nullable: boolean
  unique: boolean
  index: boolean
  default?: string | number | boolean | null
  references?: { table: string; onDelete: OnDelete }
}

/** A resource's table: its columns besides `id`, `created_at` and `updated_at` (always there). */
export type TableSnapshot = { resource: string; columns: Record<string, ColumnSnapshot> }

export type PluginSnapshot = {
  plugin: string
  tables: Record<string, TableSnapshot>
  /** Checksum (of the SQL it runs) of every migration the snapshot was taken with. */
  migrations: Record<string, string>
}

export const SNAPSHOT_FILE = '.snapshot.json'

/** `<plugin>_<resource>` with dashes as underscores, unless the resource names its table. */
export function tableOf(plugin: string, resource: Pick<ResourceDefinition, 'name' | 'table'>) {
  return resource.table ?? `${plugin}_${resource.name}`.replaceAll('-', '_')
}

/**
 * Resolves a reference target: `<resource>` of the same plugin,
 * `<plugin>.<resource>` of a dependency (its own `table` if it names one), or
 * `core.users`. Returns the table and the type of its id.
 */
export type TargetResolver = (target: string) => { table: string; type: 'bigint' | 'uuid' }

export function targetResolver(
  plugin: string,
  resources: ResourceDefinition[],
  dependencyResources: (plugin: string) => ResourceDefinition[] = () => []
): TargetResolver {
  return (target) => {
    if (target === 'core.users') return { table: 'users', type: 'uuid' }
    const [owner, name] = target.includes('.') ? target.split('.', 2) : [plugin, target]
    const pool = owner === plugin ? resources : dependencyResources(owner)
    const resource = pool.find((r) => r.name === name) ?? { name }
    return { table: tableOf(owner, resource), type: 'bigint' }
  }
}

function columnOf(field: FieldDefinition, resolve: TargetResolver): ColumnSnapshot {
  const options = field.options ?? {}
  const column: ColumnSnapshot = {
    type: 'text',
    nullable: !options.required,
    unique: Boolean(options.unique),
    index: Boolean(options.index),
  }
  switch (field.type) {
    case 'string':
      Object.assign(column, { type: 'varchar', length: (options.max as number) ?? 255 })
      break
    case 'file':
      Object.assign(column, { type: 'varchar', length: 500 })
      break
    case 'decimal':
      Object.assign(column, {
        type: 'numeric',
        precision: (options.precision as number) ?? 12,
        scale: (options.scale as number) ?? 2,
      })
      break
    case 'datetime':
      column.type = 'timestamptz'
      break
    case 'json':
      column.type = 'jsonb'
      break
    case 'enum':
      Object.assign(column, { type: 'enum', values: [...(field.values ?? [])] })
      break
    case 'reference': {
      const target = resolve(field.target!)
      const onDelete = (options.onDelete as OnDelete) ?? 'restrict'
      Object.assign(column, { type: target.type, index: true })
      column.references = { table: target.table, onDelete }
      break
    }
    default:
      column.type = field.type
  }
  if (column.unique) column.index = false
  if (options.default !== undefined) column.default = options.default
  return column
}

/** The tables `resources` map to, in declaration order. */
export function snapshotTables(
  plugin: string,
  resources: ResourceDefinition[],
  resolve: TargetResolver = targetResolver(plugin, resources)
): Record<string, TableSnapshot> {
  const tables: Record<string, TableSnapshot> = {}
  for (const resource of resources) {
    const columns: Record<string, ColumnSnapshot> = {}
    for (const [name, field] of Object.entries(resource.fields)) {
      columns[name] = columnOf(field, resolve)
    }
    if (resource.customFields !== false) {
      columns.custom = {
        type: 'jsonb',
        nullable: false,
        unique: false,
        index: false,
        default: '{}',
      }
    }
    tables[tableOf(plugin, resource)] = { resource: resource.name, columns }
  }
  return tables
}

export function emptySnapshot(plugin: string): PluginSnapshot {
  return { plugin, tables: {}, migrations: {} }
}

export async function readSnapshot(migrationsDir: string, plugin: string): Promise<PluginSnapshot> {
  const file = join(migrationsDir, SNAPSHOT_FILE)
  if (!existsSync(file)) return emptySnapshot(plugin)
  return JSON.parse(await readFile(file, 'utf8')) as PluginSnapshot
}

export function hasSnapshot(migrationsDir: string) {
  return existsSync(join(migrationsDir, SNAPSHOT_FILE))
}

export async function writeSnapshot(migrationsDir: string, snapshot: PluginSnapshot) {
  await writeFile(join(migrationsDir, SNAPSHOT_FILE), JSON.stringify(snapshot, null, 2) + '\n')
}
