import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { defineError } from '../errors.js'
import { compileSet } from '../tenancy/migrations/tenant_migrator.js'
import type { Tenant } from '../tenancy/types.js'
import type { PluginManifest } from './define_plugin.js'

export type PluginTable = { table: string; rows: number }
/** A view the plugin's migrations create; a materialized one keeps rows of its own. */
export type PluginView = { view: string; materialized: boolean }

type Relation = { name: string; kind: 'table' | 'view' | 'materialized view' }

export const E_PLUGIN_PURGE_BLOCKED = defineError(
  'ERR_PLUGIN_PURGE_BLOCKED',
  409,
  'Plugin "%s" cannot be purged: %s depend on its tables or views',
  'Purge drops only what the plugin created. Drop or change those objects first, then uninstall again.'
)

const IDENTIFIER = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))`
const KIND = String.raw`(table|view|materialized\s+view)`
const CREATE = new RegExp(
  String.raw`\bcreate\s+(?:or\s+replace\s+)?(?:recursive\s+)?${KIND}\s+(?:if\s+not\s+exists\s+)?${IDENTIFIER}`,
  'gi'
)
const DROP = new RegExp(String.raw`\bdrop\s+${KIND}\s+(?:if\s+exists\s+)?${IDENTIFIER}`, 'gi')
const RENAME = new RegExp(
  String.raw`\balter\s+${KIND}\s+(?:if\s+exists\s+)?${IDENTIFIER}\s+rename\s+to\s+${IDENTIFIER}`,
  'gi'
)

const name = (quoted?: string, bare?: string) =>
  quoted?.replaceAll('""', '"') ?? bare!.toLowerCase()
const kindOf = (word: string) => word.toLowerCase().replace(/\s+/, ' ') as Relation['kind']
const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`

/**
 * The tables and views a plugin's migrations create, read from the SQL they
 * compile to (knex's own `create table "x"`, `create view`, `drop table`,
 * `drop view`, `alter table ... rename to`, and the same words in raw SQL),
 * replayed in order. This is what "the plugin's tables" and "its views" mean
 * for uninstall: nothing is guessed from a name prefix, so a table or view of
 * core or of another plugin is never taken for this one's.
 */
function relationsCreatedBy(manifest: PluginManifest): Relation[] {
  const relations: Relation[] = []
  const at = (relation: string) => relations.findIndex((r) => r.name === relation) >>> 0
  const statements = compileSet({
    owner: manifest.name,
    migrations: manifest.migrations ?? [],
  }).flatMap((migration) => migration.sql)
  for (const statement of statements) {
    const events: Array<{ at: number; apply: () => void }> = []
    for (const match of statement.matchAll(CREATE)) {
      const relation = { name: name(match[2], match[3]), kind: kindOf(match[1]) }
      events.push({
        at: match.index!,
        apply: () => relations.some((r) => r.name === relation.name) || relations.push(relation),
      })
    }
    for (const match of statement.matchAll(DROP)) {
      const relation = name(match[2], match[3])
      events.push({ at: match.index!, apply: () => relations.splice(at(relation), 1) })
    }
    for (const match of statement.matchAll(RENAME)) {
      const [from, to] = [name(match[2], match[3]), name(match[4], match[5])]
      events.push({
        at: match.index!,
        apply: () => {
          // `alter table` renames a view too: the relation keeps its kind.
          const renamed = relations[at(from)]
          if (renamed) renamed.name = to
          else relations.push({ name: to, kind: kindOf(match[1]) })
        },
      })
    }
    events.sort((a, b) => a.at - b.at).forEach((event) => event.apply())
  }
  return relations
}

/** The tables a plugin's migrations create (see `relationsCreatedBy`). */
export function tablesCreatedBy(manifest: PluginManifest): string[] {
  return relationsCreatedBy(manifest)
    .filter((relation) => relation.kind === 'table')
    .map((relation) => relation.name)
}

/** The views, materialized or not, a plugin's migrations create (see `relationsCreatedBy`). */
export function viewsCreatedBy(manifest: PluginManifest): string[] {
  return relationsCreatedBy(manifest)
    .filter((relation) => relation.kind !== 'table')
    .map((relation) => relation.name)
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

/** The plugin's views that exist in the tenant's schema, in a transaction already scoped to it. */
export async function pluginViews(
  trx: TransactionClientContract,
  tenant: Tenant,
  manifest: PluginManifest
): Promise<PluginView[]> {
  const declared = viewsCreatedBy(manifest)
  if (!declared.length) return []
  const { rows } = await trx.rawQuery(
    `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relname = ANY(?::text[]) AND c.relkind IN ('v', 'm')`,
    [tenant.schema_name, declared]
  )
  const kinds = new Map<string, string>(rows.map((row: any) => [row.relname, row.relkind]))
  return declared
    .filter((view) => kinds.has(view))
    .map((view) => ({ view, materialized: kinds.get(view) === 'm' }))
}

/**
 * What depends on the plugin's tables and views without being one of them
 * or part of one (its indexes, constraints, triggers): another plugin's view
 * or foreign key, a view made by hand. Purge drops without CASCADE, so such
 * an object is named and the purge refused, never dropped along.
 */
export async function dependentsOutside(
  trx: TransactionClientContract,
  tenant: Tenant,
  relations: string[]
): Promise<string[]> {
  if (!relations.length) return []
  const { rows } = await trx.rawQuery(
    `WITH own AS (
       SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relname = ANY(?::text[])
     )
     SELECT DISTINCT
            CASE WHEN r.oid IS NULL THEN pg_describe_object(d.classid, d.objid, d.objsubid)
                 ELSE pg_describe_object('pg_class'::regclass, r.ev_class, 0) END AS dependent
       FROM pg_depend d
       LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
       LEFT JOIN pg_constraint k ON d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
       LEFT JOIN pg_trigger t ON d.classid = 'pg_trigger'::regclass AND t.oid = d.objid
       LEFT JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND p.oid = d.objid
       LEFT JOIN pg_attrdef a ON d.classid = 'pg_attrdef'::regclass AND a.oid = d.objid
      WHERE d.refclassid = 'pg_class'::regclass
        AND d.refobjid IN (SELECT oid FROM own)
        AND d.deptype = 'n'
        AND coalesce(r.ev_class, k.conrelid, t.tgrelid, p.polrelid, a.adrelid,
              CASE WHEN d.classid = 'pg_class'::regclass THEN d.objid END, 0)
            NOT IN (SELECT oid FROM own)
      ORDER BY 1`,
    [tenant.schema_name, relations]
  )
  return rows.map((row: any) => row.dependent as string)
}

/**
 * Drops the views, each after the views of the plugin that read it (a view
 * and a materialized view cannot share one DROP statement).
 */
export async function dropViews(
  trx: TransactionClientContract,
  tenant: Tenant,
  views: PluginView[]
) {
  if (!views.length) return
  const names = views.map((v) => v.view)
  const { rows: reads } = await trx.rawQuery(
    `SELECT DISTINCT v.relname AS reader, t.relname AS read
       FROM pg_depend d
       JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
       JOIN pg_class v ON v.oid = r.ev_class
       JOIN pg_class t ON d.refclassid = 'pg_class'::regclass AND t.oid = d.refobjid
       JOIN pg_namespace n ON n.oid = v.relnamespace AND n.oid = t.relnamespace
      WHERE n.nspname = ? AND v.relname = ANY(?::text[]) AND t.relname = ANY(?::text[])
        AND v.oid <> t.oid`,
    [tenant.schema_name, names, names]
  )
  let left = views
  while (left.length) {
    const read = (view: PluginView) =>
      reads.some((e: any) => e.read === view.view && left.some((l) => l.view === e.reader))
    const next = left.filter((view) => !read(view))
    // Views cannot read each other in a circle; if they seem to, PostgreSQL says why.
    for (const view of next.length ? next : left) {
      await trx.rawQuery(
        `DROP ${view.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${quote(view.view)}`
      )
    }
    left = next.length ? left.filter((view) => read(view)) : []
  }
}

/** Drops the tables (one statement, so foreign keys among them are no obstacle). */
export async function dropTables(trx: TransactionClientContract, tables: string[]) {
  if (!tables.length) return
  await trx.rawQuery(`DROP TABLE ${tables.map(quote).join(', ')}`)
}
