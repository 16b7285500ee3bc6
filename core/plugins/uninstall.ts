import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { compileSet } from '../tenancy/migrations/tenant_migrator.js'
import type { Tenant } from '../tenancy/types.js'
import type { PluginManifest } from './define_plugin.js'

export type PluginTable = { table: string; rows: number }

const IDENTIFIER = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))`
const CREATE = new RegExp(
  String.raw`\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?${IDENTIFIER}`,
  'gi'
)
const DROP = new RegExp(String.raw`\bdrop\s+table\s+(?:if\s+exists\s+)?${IDENTIFIER}`, 'gi')
const RENAME = new RegExp(
  String.raw`\balter\s+table\s+(?:if\s+exists\s+)?${IDENTIFIER}\s+rename\s+to\s+${IDENTIFIER}`,
  'gi'
)

const name = (quoted?: string, bare?: string) =>
  quoted?.replaceAll('""', '"') ?? bare!.toLowerCase()

/**
 * The tables a plugin's migrations create, read from the SQL they compile to
 * (knex's own `create table "x"`, `drop table`, `alter table ... rename to`,
 * and the same words in raw SQL), replayed in order. This is what "the
 * plugin's tables" means for uninstall: nothing is guessed from a name prefix,
 * so a table of core or of another plugin is never taken for this one's.
 */
export function tablesCreatedBy(manifest: PluginManifest): string[] {
  const tables: string[] = []
  const statements = compileSet({
    owner: manifest.name,
    migrations: manifest.migrations ?? [],
  }).flatMap((migration) => migration.sql)
  for (const statement of statements) {
    const events: Array<{ at: number; apply: () => void }> = []
    for (const match of statement.matchAll(CREATE)) {
      const table = name(match[1], match[2])
      events.push({ at: match.index!, apply: () => tables.includes(table) || tables.push(table) })
    }
    for (const match of statement.matchAll(DROP)) {
      const table = name(match[1], match[2])
      events.push({ at: match.index!, apply: () => tables.splice(tables.indexOf(table) >>> 0, 1) })
    }
    for (const match of statement.matchAll(RENAME)) {
      const [from, to] = [name(match[1], match[2]), name(match[3], match[4])]
      events.push({
        at: match.index!,
        apply: () => tables.splice(tables.indexOf(from) >>> 0, 1, to),
      })
    }
    events.sort((a, b) => a.at - b.at).forEach((event) => event.apply())
  }
  return tables
}

/**
 * The plugin's tables that exist in the tenant's schema, with their exact row
 * counts, in a transaction already scoped to that tenant.
 */
export async function pluginTables(
  trx: TransactionClientContract,
  tenant: Tenant,
  manifest: PluginManifest
): Promise<PluginTable[]> {
  const declared = tablesCreatedBy(manifest)
  if (!declared.length) return []
  const existing = await trx
    .from('information_schema.tables')
    .where('table_schema', tenant.schema_name)
    .whereIn('table_name', declared)
    .select('table_name')
  const present = new Set(existing.map((row) => row.table_name as string))
  const tables: PluginTable[] = []
  for (const table of declared.filter((t) => present.has(t))) {
    const [row] = await trx.from(table).count('* as total')
    tables.push({ table, rows: Number(row.total) })
  }
  return tables
}

/** Drops the tables (one statement, so foreign keys among them are no obstacle). */
export async function dropTables(trx: TransactionClientContract, tables: string[]) {
  if (!tables.length) return
  const quoted = tables.map((table) => `"${table.replaceAll('"', '""')}"`).join(', ')
  await trx.rawQuery(`DROP TABLE ${quoted}`)
}
