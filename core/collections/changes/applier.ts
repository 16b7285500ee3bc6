import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordAudit } from '../../audit/audit.js'
import { E_VALIDATION } from '../../errors.js'
import { ident, selectRows, type PgError } from '../../resources/sql.js'
import { actorOf } from '../../rbac/authorize.js'
import { tenantContext } from '../../tenancy/context.js'
import { withTenantDb } from '../../tenancy/tenant_db.js'
import type { ChangedBy } from '../collection_admin.js'
import { definitionContext } from '../collection_admin.js'
import { collectionTargets, constraintName, tableSnapshotOf } from '../ddl.js'
import { keyOfCollection, parseDefinition, type CollectionDefinition } from '../definition.js'
import { E_COLLECTION_NOT_FOUND } from '../errors.js'
import { checkFieldQuota } from '../quotas.js'
import {
  collectionsOfTenant,
  invalidateCollections,
  pluginCatalog,
  type CollectionRow,
} from '../registry.js'
import { reindexTenant } from '../../search/indexing.js'
import {
  E_COLLECTION_CHANGE_CONFLICT,
  E_COLLECTION_CHANGE_FAILED,
  E_COLLECTION_CHANGE_REFUSED,
  E_COLLECTION_CHANGE_UNCONFIRMED,
} from './errors.js'
import { applyToDefinition, changeRequestValidator, underChanges } from './input.js'
import { presentPlan, type Plan, type Statement } from './plan.js'
import { planChanges } from './planner.js'
import { designsNaming, renameInDesigns } from './references.js'

/*
 * Applies a change to a collection's fields in ONE tenant transaction: the
 * collection's row is locked, the plan is made against the table as it is,
 * destructive steps copy the values they lose to a backup table first, then
 * the DDL runs, the definition and version are updated, views, forms and
 * automations follow a rename, and the change is recorded in
 * `collection_changes`. Any failure rolls all of it back. Other processes
 * drop their compiled model once it is committed.
 */

/** Planned SQL carries no bindings: a `?` in it (a regex, a value) is text, not a placeholder. */
const verbatim = (sql: string) => sql.replaceAll('?', '\\?')

/** How long a change waits for its table (SET LOCAL lock_timeout). */
const DDL_LOCK_TIMEOUT = '10s'

/** PostgreSQL: the row is locked by another transaction (FOR UPDATE NOWAIT). */
const LOCK_NOT_AVAILABLE = '55P03'

async function lockedRow(
  trx: TransactionClientContract,
  name: string,
  lock: boolean
): Promise<CollectionRow> {
  try {
    const query = trx.from('collections').where('name', name)
    const row = lock ? await query.forUpdate().noWait().first() : await query.first()
    if (!row) throw new E_COLLECTION_NOT_FOUND([name])
    return row as CollectionRow
  } catch (error) {
    if ((error as PgError).code === LOCK_NOT_AVAILABLE)
      throw new E_COLLECTION_CHANGE_CONFLICT([name, 'another change to it is being applied'])
    throw error
  }
}

/** Plans `changes` against the locked collection and its table. */
async function plan(
  trx: TransactionClientContract,
  row: CollectionRow,
  raw: Array<Record<string, unknown>>
): Promise<Plan> {
  const { changes, definition: proposed, changedAt } = applyToDefinition(row.definition, raw)
  let after: CollectionDefinition
  try {
    after = parseDefinition(proposed, await definitionContext(row.name))
  } catch (error) {
    throw error instanceof E_VALIDATION ? underChanges(error, changedAt) : error
  }
  const fields = Object.keys(after.fields).length
  if (fields > Object.keys(row.definition.fields).length) checkFieldQuota(fields)
  const resolve = collectionTargets(await pluginCatalog())
  const table = ident(row.table_name)
  return planChanges(
    {
      collection: row.name,
      table: row.table_name,
      version: row.version,
      before: {
        definition: row.definition,
        table: tableSnapshotOf(row.name, row.definition, resolve),
      },
      after: { definition: after, table: tableSnapshotOf(row.name, after, resolve) },
      async count(where) {
        const [result] = await selectRows(
          trx,
          verbatim(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)
        )
        return Number(result.n)
      },
      usersOf: (field) => designsNaming(trx, row.name, field),
    },
    changes
  )
}

type ConstraintKind = 'unique' | 'check' | 'foreign' | 'not_null' | 'index'

/** Names of constraints (u, c, f, n) or plain indexes of one column of the table, in the current schema. */
async function namedOn(
  trx: TransactionClientContract,
  table: string,
  column: string,
  kind: ConstraintKind
): Promise<string[]> {
  const attribute = `(SELECT attnum FROM pg_attribute WHERE attrelid = rel.oid AND attname = ?)`
  if (kind === 'index') {
    const rows = await selectRows(
      trx,
      `SELECT idx.relname AS name FROM pg_index i
         JOIN pg_class rel ON rel.oid = i.indrelid
         JOIN pg_class idx ON idx.oid = i.indexrelid
        WHERE rel.oid = to_regclass(?) AND i.indnatts = 1 AND i.indkey[0] = ${attribute}
          AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)`,
      [ident(table), column]
    )
    return rows.map((row) => row.name)
  }
  const type = { unique: 'u', check: 'c', foreign: 'f', not_null: 'n' }[kind]
  const rows = await selectRows(
    trx,
    `SELECT con.conname AS name FROM pg_constraint con
       JOIN pg_class rel ON rel.oid = con.conrelid
      WHERE rel.oid = to_regclass(?) AND con.contype = ? AND con.conkey = ARRAY[${attribute}]::int2[]`,
    [ident(table), type, column]
  )
  return rows.map((row) => row.name)
}

/**
 * The name a constraint or index of `column` gets when the table is created:
 * unique, index and foreign key as core/collections/ddl.ts names them, CHECK
 * and NOT NULL as PostgreSQL does (kept whole when they fit).
 */
function createdName(table: string, column: string, kind: ConstraintKind) {
  return kind === 'check' || kind === 'not_null'
    ? `${table}_${column}_${kind}`.slice(0, 63)
    : constraintName(table, column, kind)
}

/** Constraints and indexes named after a renamed column follow it. */
async function renameNamedAfter(
  trx: TransactionClientContract,
  table: string,
  from: string,
  to: string
) {
  const t = ident(table)
  // PostgreSQL 18 keeps NOT NULL as named constraints too (`<table>_<column>_not_null`).
  for (const kind of ['unique', 'check', 'foreign', 'not_null', 'index'] as const) {
    const old = createdName(table, from, kind)
    for (const name of await namedOn(trx, table, to, kind)) {
      if (name !== old) continue
      const renamed = ident(createdName(table, to, kind))
      await trx.rawQuery(
        kind === 'index'
          ? `ALTER INDEX ${ident(name)} RENAME TO ${renamed}`
          : `ALTER TABLE ${t} RENAME CONSTRAINT ${ident(name)} TO ${renamed}`
      )
    }
  }
}

async function run(trx: TransactionClientContract, table: string, statement: Statement) {
  if ('sql' in statement) return trx.rawQuery(verbatim(statement.sql))
  if ('renameNamedAfter' in statement)
    return renameNamedAfter(
      trx,
      table,
      statement.renameNamedAfter.from,
      statement.renameNamedAfter.to
    )
  for (const name of await namedOn(trx, table, statement.column, statement.drop))
    await trx.rawQuery(
      statement.drop === 'index'
        ? `DROP INDEX ${ident(name)}`
        : `ALTER TABLE ${ident(table)} DROP CONSTRAINT ${ident(name)}`
    )
}

/** A free name for the backup of version `version`: colbak_<name>_v<version>, then _2, _3, ... */
async function backupName(trx: TransactionClientContract, row: CollectionRow) {
  const base = `colbak_${row.name}_v${row.version}`
  for (let attempt = 1; ; attempt++) {
    const name = attempt === 1 ? base : `${base}_${attempt}`
    const [found] = await selectRows(trx, `SELECT to_regclass(?) IS NOT NULL AS taken`, [
      ident(name),
    ])
    if (!found.taken) return name
  }
}

/** Copies `id` and the columns destructive steps touch (as they are now) to a new table. */
async function backUp(trx: TransactionClientContract, row: CollectionRow, columns: string[]) {
  const name = await backupName(trx, row)
  await trx.rawQuery(
    `CREATE TABLE ${ident(name)} AS SELECT ${['id', ...columns].map(ident).join(', ')} FROM ${ident(row.table_name)} ORDER BY "id"`
  )
  return name
}

export type ChangeResult = ReturnType<typeof presentPlan> & {
  applied: boolean
  version: number
  backup_table: string | null
  change_id: string | null
}

/**
 * Plans (dry_run) or applies the changes of a request body to collection
 * `name` of the current tenant.
 */
export async function changeCollection(
  name: string,
  body: unknown,
  by: ChangedBy
): Promise<ChangeResult> {
  const request = await changeRequestValidator.validate(body)
  const tenant = tenantContext.require()
  const dryRun = request.dry_run === true
  const result = await withTenantDb(async (trx) => {
    const row = await lockedRow(trx, name, !dryRun)
    // The DDL waits this long for the table behind reads and writes of its records, not forever.
    if (!dryRun) await trx.rawQuery(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT}'`)
    if (request.expected_version !== undefined && request.expected_version !== row.version)
      throw new E_COLLECTION_CHANGE_CONFLICT(
        [name, `it is at version ${row.version}, not ${request.expected_version}`],
        { details: { version: row.version, expected_version: request.expected_version } }
      )
    const planned = await plan(trx, row, request.changes as Array<Record<string, unknown>>)
    const shown = presentPlan(planned)
    if (dryRun)
      return { ...shown, applied: false, version: row.version, backup_table: null, change_id: null }
    if (!planned.applicable)
      throw new E_COLLECTION_CHANGE_REFUSED([name], { details: { plan: shown } })
    if (planned.destructive && request.confirm !== true)
      throw new E_COLLECTION_CHANGE_UNCONFIRMED([name], { details: { plan: shown } })

    const columns = [
      ...new Set(planned.steps.flatMap((step) => (step.backup ? [step.backup] : []))),
    ]
    const backup = planned.destructive && columns.length ? await backUp(trx, row, columns) : null
    for (const [index, step] of planned.steps.entries()) {
      try {
        for (const statement of step.statements) await run(trx, row.table_name, statement)
      } catch (error) {
        const pg = error as PgError
        if (!pg.code) throw error
        if (pg.code === LOCK_NOT_AVAILABLE)
          throw new E_COLLECTION_CHANGE_CONFLICT([
            name,
            'its records were busy for longer than the change waits; try again',
          ])
        // The transaction is aborted: nothing of this change stays.
        throw new E_COLLECTION_CHANGE_FAILED([name, pg.message.split('\n')[0]], {
          details: {
            step: index,
            op: step.op,
            field: step.field,
            sql_kind: step.sql_kind,
            pg_code: pg.code,
          },
        })
      }
      if (step.op === 'rename_field' && step.sql_kind === 'rename_column') {
        const change = request.changes.find((c) => c.op === 'rename_field' && c.from === step.field)
        await renameInDesigns(trx, name, step.field, change!.to!)
      }
    }
    await trx
      .from('collections')
      .where('id', row.id)
      .update({
        definition: JSON.stringify(planned.definition),
        version: planned.to_version,
        updated_at: trx.raw('now()'),
      })
    const [change] = await trx
      .insertQuery()
      .table('collection_changes')
      .insert({
        collection: name,
        from_version: planned.from_version,
        to_version: planned.to_version,
        plan: JSON.stringify(shown),
        destructive: planned.destructive,
        backup_table: backup,
        applied_by: actorOf(by.principal),
      })
      .returning('id')
    await recordAudit(trx, {
      actor: actorOf(by.principal),
      action: 'core.collections.change',
      subject: keyOfCollection(name),
      data: {
        from_version: planned.from_version,
        to_version: planned.to_version,
        changes: request.changes,
        backup_table: backup,
      },
      request_id: by.requestId ?? null,
    })
    return {
      ...shown,
      reindex:
        searched(row.definition) !== searched(planned.definition) ||
        planned.steps.some((step) => row.definition.fields[step.field]?.search),
      applied: true,
      version: planned.to_version,
      backup_table: backup,
      change_id: String(change.id ?? change),
    }
  })
  const { reindex, ...answer } = result as typeof result & { reindex?: boolean }
  if (answer.applied) invalidateCollections(tenant.id)
  if (reindex) await reindexCollection(name)
  return answer
}

/** The searched fields of a definition with their types: a change to them needs a new index. */
const searched = (definition: CollectionDefinition) =>
  JSON.stringify(
    Object.entries(definition.fields)
      .filter(([, spec]) => spec.search)
      .map(([field, spec]) => `${field}:${spec.type}`)
  )

/**
 * Rebuilds a collection's search index after its searched fields changed
 * (a no-op for the PostgreSQL driver, which searches the table). The change
 * is committed by then: a failure is logged, and `oryne search reindex`
 * catches up.
 */
async function reindexCollection(name: string) {
  try {
    const { models } = await collectionsOfTenant()
    const model = models.get(name)
    if (model) await reindexTenant({ only: [model] })
  } catch (error) {
    logger.warn(
      { err: error, collection: name },
      'search index of a changed collection not rebuilt'
    )
  }
}

/** The changes applied to collection `name` (newest first), with their plans and backups. */
export async function changeHistory(name: string, page: number, perPage: number) {
  return withTenantDb(async (trx) => {
    const [{ total }] = await selectRows(
      trx,
      `SELECT count(*)::int AS total FROM "collection_changes" WHERE "collection" = ?`,
      [name]
    )
    if (!Number(total) && !(await trx.from('collections').where('name', name).first()))
      throw new E_COLLECTION_NOT_FOUND([name])
    const rows = await trx
      .from('collection_changes')
      .where('collection', name)
      .orderBy('id', 'desc')
      .offset((page - 1) * perPage)
      .limit(perPage)
    return {
      data: rows.map((row: Record<string, any>) => ({
        id: String(row.id),
        collection: row.collection,
        from_version: row.from_version,
        to_version: row.to_version,
        destructive: row.destructive,
        backup_table: row.backup_table,
        applied_by: row.applied_by,
        applied_at: new Date(row.applied_at).toISOString(),
        plan: row.plan,
      })),
      pagination: {
        page,
        per_page: perPage,
        total: Number(total),
        last_page: Math.max(1, Math.ceil(Number(total) / perPage)),
      },
    }
  })
}
