import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { E_BACKUP_INCOMPATIBLE } from '../errors.js'
import { parseDefinition } from '../collections/definition.js'
import { collectionTargets, createCollectionTable } from '../collections/ddl.js'
import { pluginCatalog } from '../collections/registry.js'
import type { TableEntry } from './manifest.js'

/*
 * The tables of a tenant's collections (core/collections): `col_<name>`, a
 * collection's records, and `colbak_<...>`, what a destructive change or a
 * deleted collection left behind. No migration builds them, so a restore
 * builds each before loading it: a collection's table from its definition
 * (loaded just before, from the archive's `collections` table), with the
 * same DDL that created it; any other from the column types the manifest
 * records. Nothing from the archive is run as SQL: definitions are checked
 * like an admin's, and each type is one PostgreSQL resolves.
 */

const COLLECTION_TABLE = /^col(?:bak)?_[a-z0-9_]+$/
const RECORDS_TABLE = /^col_[a-z0-9_]+$/

/** How format_type spells a built-in type: `character varying(40)`, `numeric(10,2)`, `text[]`. */
const TYPE_SPELLING = /^[a-z][a-z0-9 _]*(?:\([0-9, ]+\))?(?: with(?:out)? time zone)?(?:\[\])*$/

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Whether a table's name is one of a tenant collection's (no migration builds it). */
export function isCollectionTable(name: string) {
  return COLLECTION_TABLE.test(name)
}

/** What a collection table is loaded after besides its foreign keys' parents: its definition. */
export function collectionTableParents(name: string): string[] {
  return RECORDS_TABLE.test(name) ? ['collections'] : []
}

/**
 * Builds one collection table in the schema being restored (`loading`),
 * before its rows are copied in. Refuses, like any other table the
 * installation cannot build, with ERR_BACKUP_INCOMPATIBLE.
 */
export async function buildCollectionTable(
  trx: TransactionClientContract,
  loading: string,
  table: TableEntry
) {
  const refuse = (why: string): never => {
    throw new E_BACKUP_INCOMPATIBLE([`table ${table.name}: ${why}`], {
      details: [`table ${table.name}: ${why}`],
    })
  }
  const { rows } = RECORDS_TABLE.test(table.name)
    ? await trx.rawQuery(
        `SELECT name, definition FROM ${quote(loading)}."collections" WHERE table_name = ?`,
        [table.name]
      )
    : { rows: [] }
  if (rows.length) {
    let definition
    try {
      definition = parseDefinition(rows[0].definition)
    } catch {
      refuse(`the definition of collection "${rows[0].name}" is not valid here`)
    }
    const resolve = collectionTargets(await pluginCatalog())
    // The table's own statements (its search indexes) name it unqualified, as in its tenant.
    await trx.rawQuery(`SELECT set_config('search_path', ?, true)`, [`${quote(loading)}, public`])
    await createCollectionTable(trx, loading, rows[0].name, definition!, resolve)
    await trx.rawQuery(`SELECT set_config('search_path', 'public', true)`)
  } else {
    await createFromTypes(trx, loading, table, refuse)
  }
  const { rows: built } = await trx.rawQuery(
    `SELECT array_agg(a.attname::text) AS columns FROM pg_attribute a
      WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [`${quote(loading)}.${quote(table.name)}`]
  )
  const missing = table.columns.filter((column) => !built[0].columns.includes(column))
  if (missing.length) refuse(`no column ${missing.join(', ')}`)
}

/** A table of the recorded columns and types (a backup table, or one no definition names). */
async function createFromTypes(
  trx: TransactionClientContract,
  loading: string,
  table: TableEntry,
  refuse: (why: string) => never
) {
  const types = table.types
  if (!Array.isArray(types) || types.length !== table.columns.length)
    return refuse('the archive does not record its column types')
  const columns: string[] = []
  for (const [index, column] of table.columns.entries()) {
    // Built-in types only: PostgreSQL names them itself (a length or precision is dropped).
    const spelled = String(types[index])
    if (!TYPE_SPELLING.test(spelled))
      refuse(`column ${column} has a type this restore does not build`)
    const { rows } = await trx.rawQuery(
      `SELECT t.oid::regtype::text AS type FROM pg_type t
         JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'pg_catalog'
        WHERE t.oid = to_regtype(?)`,
      [spelled]
    )
    if (!rows.length) refuse(`column ${column} has a type this restore does not build`)
    columns.push(`${quote(column)} ${rows[0].type}`)
  }
  await trx.rawQuery(`CREATE TABLE ${quote(loading)}.${quote(table.name)} (${columns.join(', ')})`)
}
