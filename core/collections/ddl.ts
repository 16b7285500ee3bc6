import { createHash } from 'node:crypto'
import type { Knex } from 'knex'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ResourceCatalog } from '../resources/catalog.js'
import { compileResource, USERS_TARGET } from '../resources/model.js'
import { searchIndexStatements } from '../search/document.js'
import {
  snapshotTables,
  type ColumnSnapshot,
  type TableSnapshot,
  type TargetResolver,
} from '../resources/snapshot.js'
import {
  COLLECTIONS,
  tableOfCollection,
  toResourceDefinition,
  type CollectionDefinition,
} from './definition.js'
import { E_COLLECTION_EXISTS } from './errors.js'

/*
 * A collection's table, `col_<name>` in the tenant schema: the same columns a
 * plugin resource's table gets (core/resources/snapshot.ts maps fields to
 * columns for both), created with the schema builder inside the caller's
 * tenant transaction.
 */

/** Where references of a collection point: users, a collection's table, or a plugin resource's table. */
export function collectionTargets(plugins: ResourceCatalog): TargetResolver {
  return (target) => {
    if (target === USERS_TARGET) return { table: 'users', type: 'uuid' }
    const [owner, name] = target.split('.', 2)
    if (owner === COLLECTIONS) return { table: tableOfCollection(name), type: 'bigint' }
    const model = plugins.get(target)
    if (!model) throw new Error(`Reference target ${target} is not a resource`)
    return { table: model.table, type: 'bigint' }
  }
}

/** The table a definition maps to (columns besides id, created_at, updated_at). */
export function tableSnapshotOf(
  name: string,
  definition: CollectionDefinition,
  resolve: TargetResolver
): TableSnapshot {
  const tables = snapshotTables(COLLECTIONS, [toResourceDefinition(name, definition)], resolve)
  return tables[tableOfCollection(name)]
}

/**
 * The name of a column's unique index, index or foreign key: knex's own
 * (`<table>_<column>_unique`) while it fits PostgreSQL's 63 characters, else
 * shortened with a hash of the whole, so that two long field names never
 * truncate to the same name.
 */
export function constraintName(
  table: string,
  column: string,
  kind: 'unique' | 'index' | 'foreign'
) {
  const name = `${table}_${column}_${kind}`
  if (name.length <= 63) return name
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10)
  return `${name.slice(0, 63 - kind.length - 12)}_${hash}_${kind}`
}

/** Adds one column (with its default, unique/index and foreign key) to `table` being built or altered. */
export function addColumn(
  table: Knex.CreateTableBuilder | Knex.AlterTableBuilder,
  schema: string,
  name: string,
  column: ColumnSnapshot,
  tableName: string
) {
  let builder: Knex.ColumnBuilder
  switch (column.type) {
    case 'varchar':
      builder = table.string(name, column.length)
      break
    case 'numeric':
      builder = table.decimal(name, column.precision, column.scale)
      break
    case 'timestamptz':
      builder = table.timestamp(name, { useTz: true })
      break
    case 'bigint':
      builder = table.bigInteger(name)
      break
    case 'enum':
      builder = table.enu(name, column.values!)
      break
    default:
      builder = table.specificType(name, column.type)
  }
  builder = column.nullable ? builder.nullable() : builder.notNullable()
  if (column.default !== undefined) builder = builder.defaultTo(column.default)
  if (column.unique) builder.unique({ indexName: constraintName(tableName, name, 'unique') })
  else if (column.index) builder.index(constraintName(tableName, name, 'index'))
  if (column.references)
    builder
      .references('id')
      .inTable(`${schema}.${column.references.table}`)
      .withKeyName(constraintName(tableName, name, 'foreign'))
      .onDelete(column.references.onDelete.toUpperCase())
  return builder
}

/** Creates `col_<name>` in `schema` within `trx` (which must be the tenant's transaction). */
export async function createCollectionTable(
  trx: TransactionClientContract,
  schema: string,
  name: string,
  definition: CollectionDefinition,
  resolve: TargetResolver
) {
  const snapshot = tableSnapshotOf(name, definition, resolve)
  const knex = trx.getWriteClient() as unknown as Knex
  const tableName = tableOfCollection(name)
  const exists = await trx.rawQuery(`SELECT to_regclass(?) AS found`, [
    `"${schema}"."${tableName}"`,
  ])
  if (exists.rows[0].found) throw new E_COLLECTION_EXISTS([name])
  await trx.schema.withSchema(schema).createTable(tableName, (table) => {
    table.bigIncrements('id')
    for (const [column, spec] of Object.entries(snapshot.columns))
      addColumn(table, schema, column, spec, tableName)
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await createCollectionSearchIndexes(trx, name, definition)
  return snapshot
}

/** The fields search reads, in declaration order (what the search indexes must cover). */
export function searchFieldsOf(name: string, definition: CollectionDefinition) {
  return compileResource(COLLECTIONS, toResourceDefinition(name, definition)).searchFields.map(
    (field) => field.name
  )
}

/**
 * The search indexes of `col_<name>` (core/search/document.ts), when it has
 * searchable fields; `trx` must be scoped to the tenant (withTenantDb).
 */
export async function createCollectionSearchIndexes(
  trx: TransactionClientContract,
  name: string,
  definition: CollectionDefinition
) {
  const fields = searchFieldsOf(name, definition)
  if (!fields.length) return
  for (const statement of searchIndexStatements(tableOfCollection(name), fields))
    await trx.rawQuery(statement)
}
