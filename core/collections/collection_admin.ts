import app from '@adonisjs/core/services/app'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { E_VALIDATION } from '../errors.js'
import { recordAudit } from '../audit/audit.js'
import type { ResourcePrincipal } from '../resources/define_resource.js'
import { ident, PG, selectRows, type PgError } from '../resources/sql.js'
import { actorOf, invalidateRolePermissions } from '../rbac/authorize.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { collectionTargets, createCollectionTable } from './ddl.js'
import {
  keyOfCollection,
  nameProblems,
  parseDefinition,
  tableOfCollection,
  type CollectionDefinition,
  type DefinitionContext,
  type Detail,
} from './definition.js'
import {
  E_COLLECTION_CONFIRM,
  E_COLLECTION_EXISTS,
  E_COLLECTION_IN_USE,
  E_COLLECTION_NOT_FOUND,
} from './errors.js'
import { checkCollectionQuota, checkFieldQuota } from './quotas.js'
import {
  collectionsOfTenant,
  invalidateCollections,
  pluginCatalog,
  type CollectionRow,
} from './registry.js'

/*
 * A tenant admin's collections: create (definition row and `col_<name>`
 * table in one tenant transaction), rename (label, description), delete
 * (the table is kept as a backup). Changes to the fields are
 * core/collections/changes.
 */

/** Who changes a collection (audit entries). */
export type ChangedBy = { principal: ResourcePrincipal; requestId?: string | null }

export type NewCollection = {
  name: string
  label?: string
  description?: string | null
  definition: unknown
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value)

/** What a collection looks like in the API. */
export function presentCollection(row: CollectionRow) {
  return {
    id: String(row.id),
    name: row.name,
    label: row.label,
    description: row.description,
    table_name: row.table_name,
    definition: row.definition,
    version: row.version,
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}

/**
 * What the current tenant's references may point to: the resources of the
 * plugins it enabled and its collections (and which of them have a subject).
 */
export async function definitionContext(self?: string): Promise<DefinitionContext> {
  const tenant = tenantContext.require()
  const host = await app.container.make('oryne.plugins')
  const plugins = await pluginCatalog()
  const { catalog } = await collectionsOfTenant()
  const models = [
    ...[...(await host.enabledNames(tenant.id))].flatMap((name) => plugins.ofPlugin(name)),
    ...catalog.collections.values(),
  ]
  return {
    targets: new Set(models.map((model) => model.key)),
    withSubject: new Set(
      models.filter((model) => model.personal.subjects.length).map((model) => model.key)
    ),
    self,
  }
}

function textProblem(body: Record<string, unknown>, key: string, longest: number): Detail[] {
  const value = body[key]
  if (value === undefined || value === null) return []
  if (typeof value !== 'string' || !value.trim().length || value.length > longest)
    return [{ field: key, rule: 'string', message: `${key} is text of 1 to ${longest} characters` }]
  return []
}

/** Checks a create body (name, label, description, definition); throws ERR_VALIDATION with every problem. */
export async function parseNewCollection(body: unknown): Promise<{
  name: string
  label: string
  description: string | null
  definition: CollectionDefinition
}> {
  if (!isObject(body))
    throw new E_VALIDATION([], {
      details: [{ field: '', rule: 'object', message: 'The body must be a JSON object' }],
    })
  const details: Detail[] = [
    ...nameProblems(body.name),
    ...textProblem(body, 'label', 120),
    ...textProblem(body, 'description', 500),
  ]
  for (const key of Object.keys(body))
    if (!['name', 'label', 'description', 'definition'].includes(key))
      details.push({ field: key, rule: 'unknown_key', message: `A collection takes no "${key}"` })
  if (body.definition === undefined)
    details.push({ field: 'definition', rule: 'required', message: 'The definition is required' })
  if (details.length) throw new E_VALIDATION([], { details })
  const name = body.name as string
  let definition: CollectionDefinition
  try {
    definition = parseDefinition(body.definition, await definitionContext(name))
  } catch (error) {
    // Paths inside the definition are reported as definition.<path>.
    if (error instanceof E_VALIDATION) {
      const inner = ((error as any).details ?? []) as Detail[]
      throw new E_VALIDATION([], {
        details: inner.map((detail) => ({
          ...detail,
          field: detail.field === 'definition' ? detail.field : `definition.${detail.field}`,
        })),
      })
    }
    throw error
  }
  return {
    name,
    label: ((body.label as string | undefined) ?? name).trim(),
    description: (body.description as string | null | undefined) ?? null,
    definition,
  }
}

/**
 * Creates a collection: its row in `collections` and its table `col_<name>`,
 * in one tenant transaction (an open one is joined: a template import creates
 * the collection with its views and forms at once).
 */
export async function createCollection(body: unknown, by: ChangedBy) {
  const input = await parseNewCollection(body)
  checkFieldQuota(Object.keys(input.definition.fields).length)
  const tenant = tenantContext.require()
  const resolve = collectionTargets(await pluginCatalog())
  const row = await withTenantDb(async (trx) => {
    // One create at a time per tenant: the quota count and the name stay true until commit.
    await trx.rawQuery(`LOCK TABLE ${ident(tenant.schema_name)}."collections" IN EXCLUSIVE MODE`)
    const [{ count }] = await trx.from('collections').count('* as count')
    const exists = await trx.from('collections').where('name', input.name).first()
    if (exists) throw new E_COLLECTION_EXISTS([input.name])
    checkCollectionQuota(Number(count))
    let created: CollectionRow
    try {
      ;[created] = await trx
        .insertQuery()
        .table('collections')
        .insert({
          name: input.name,
          label: input.label,
          description: input.description,
          table_name: tableOfCollection(input.name),
          definition: JSON.stringify(input.definition),
          version: 1,
          created_by: actorOf(by.principal),
        })
        .returning('*')
      await createCollectionTable(trx, tenant.schema_name, input.name, input.definition, resolve)
    } catch (error) {
      const pg = error as PgError
      // A create of the same name racing this one (the lock makes it rare).
      if (pg.code === PG.uniqueViolation && pg.table === 'collections')
        throw new E_COLLECTION_EXISTS([input.name])
      throw error
    }
    await recordAudit(trx, {
      actor: actorOf(by.principal),
      action: 'core.collections.create',
      subject: `${keyOfCollection(input.name)}`,
      data: { name: input.name, label: input.label, definition: input.definition },
      request_id: by.requestId ?? null,
    })
    return created
  })
  invalidateCollections(tenant.id)
  return presentCollection(row)
}

/** Changes a collection's label or description (its fields change through core/collections/changes). */
export async function updateCollection(name: string, body: unknown, by: ChangedBy) {
  if (!isObject(body))
    throw new E_VALIDATION([], {
      details: [{ field: '', rule: 'object', message: 'The body must be a JSON object' }],
    })
  const details = [...textProblem(body, 'label', 120), ...textProblem(body, 'description', 500)]
  for (const key of Object.keys(body))
    if (key !== 'label' && key !== 'description')
      details.push({
        field: key,
        rule: key === 'definition' || key === 'name' ? 'read_only' : 'unknown_key',
        message:
          key === 'definition'
            ? 'Fields change through POST /api/v1/admin/collections/:name/changes'
            : `Only label and description change here, not "${key}"`,
      })
  if (body.label === null)
    details.push({ field: 'label', rule: 'required', message: 'label cannot be null' })
  if (details.length) throw new E_VALIDATION([], { details })
  const tenant = tenantContext.require()
  const changes: Record<string, unknown> = {}
  if (body.label !== undefined) changes.label = (body.label as string).trim()
  if (body.description !== undefined) changes.description = body.description
  const row = await withTenantDb(async (trx) => {
    const before = await trx.from('collections').where('name', name).forUpdate().first()
    if (!before) throw new E_COLLECTION_NOT_FOUND([name])
    if (!Object.keys(changes).length) return before as CollectionRow
    const [after] = await trx
      .from('collections')
      .where('name', name)
      .update({ ...changes, updated_at: trx.raw('now()') })
      .returning('*')
    await recordAudit(trx, {
      actor: actorOf(by.principal),
      action: 'core.collections.update',
      subject: keyOfCollection(name),
      data: {
        before: { label: before.label, description: before.description },
        after: { label: after.label, description: after.description },
      },
      request_id: by.requestId ?? null,
    })
    return after as CollectionRow
  })
  invalidateCollections(tenant.id)
  return presentCollection(row)
}

/**
 * Deletes a collection when `confirm` repeats its name: its table is renamed
 * to `colbak_<name>_<unix time>` (kept, with its rows, until an operator drops
 * it), its views, forms and automations are removed, and the deletion is
 * recorded in `collection_changes` with the backup's name.
 */
export async function deleteCollection(name: string, confirm: unknown, by: ChangedBy) {
  const tenant = tenantContext.require()
  const { list } = await collectionsOfTenant()
  if (!list.some((row) => row.name === name)) throw new E_COLLECTION_NOT_FOUND([name])
  if (confirm !== name) throw new E_COLLECTION_CONFIRM([name, name])
  const schema = ident(tenant.schema_name)
  const result = await withTenantDb(async (trx) => {
    await trx.rawQuery(`LOCK TABLE ${schema}."collections" IN EXCLUSIVE MODE`)
    const row = (await trx.from('collections').where('name', name).first()) as CollectionRow
    if (!row) throw new E_COLLECTION_NOT_FOUND([name])
    const key = keyOfCollection(name)
    const rows: CollectionRow[] = await trx
      .from('collections')
      .whereNot('name', name)
      .select('name', 'definition')
    const others = rows
      .filter((other: CollectionRow) =>
        Object.values(other.definition.fields ?? {}).some((field) => field.target === key)
      )
      .map((other: CollectionRow) => other.name)
    if (others.length)
      throw new E_COLLECTION_IN_USE([name, others.join(', ')], {
        details: others.map((other: string) => ({ collection: other })),
      })
    const backup = `colbak_${name}_${Math.floor(Date.now() / 1000)}`
    const table = row.table_name
    // Indexes and the id sequence are relations of the schema too: renamed with the table so
    // that a new collection of the same name can create its own.
    const relations = await selectRows(
      trx,
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relkind IN ('i', 'S')
          AND (c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ?::regclass)
               OR c.oid = pg_get_serial_sequence(?, 'id')::regclass)
        ORDER BY c.relname`,
      [tenant.schema_name, `${schema}.${ident(table)}`, `${schema}.${ident(table)}`]
    )
    await trx.rawQuery(`ALTER TABLE ${schema}.${ident(table)} RENAME TO ${ident(backup)}`)
    // A backup references nothing: its old rows must not keep records of other tables from being deleted.
    const foreignKeys = await selectRows(
      trx,
      `SELECT conname AS name FROM pg_constraint WHERE conrelid = ?::regclass AND contype = 'f'`,
      [`${schema}.${ident(backup)}`]
    )
    for (const constraint of foreignKeys)
      await trx.rawQuery(
        `ALTER TABLE ${schema}.${ident(backup)} DROP CONSTRAINT ${ident(constraint.name as string)}`
      )
    for (const [index, relation] of relations.entries()) {
      const renamed = relation.kind === 'S' ? `${backup}_id_seq` : `${backup}_i${index}`
      const what = relation.kind === 'S' ? 'SEQUENCE' : 'INDEX'
      await trx.rawQuery(
        `ALTER ${what} ${schema}.${ident(relation.name)} RENAME TO ${ident(renamed)}`
      )
    }
    await trx.from('collection_automations').where('collection', name).delete()
    await trx.from('collection_forms').where('collection', name).delete()
    await trx.from('collection_views').where('collection', name).delete()
    await trx.from('collections').where('name', name).delete()
    await revokeGrants(trx, key, by)
    await trx
      .insertQuery()
      .table('collection_changes')
      .insert({
        collection: name,
        from_version: row.version,
        to_version: row.version + 1,
        plan: JSON.stringify({ steps: [{ op: 'delete_collection', table, backup_table: backup }] }),
        destructive: true,
        backup_table: backup,
        applied_by: actorOf(by.principal),
      })
    await recordAudit(trx, {
      actor: actorOf(by.principal),
      action: 'core.collections.delete',
      subject: key,
      data: { name, backup_table: backup, definition: row.definition },
      request_id: by.requestId ?? null,
    })
    return { name, deleted: true, backup_table: backup }
  })
  invalidateCollections(tenant.id)
  invalidateRolePermissions(tenant.id, { broadcast: true })
  return result
}

/**
 * Takes `collections.<name>.*` grants out of every role: a collection created
 * later under the same name starts with no one allowed in.
 */
async function revokeGrants(trx: TransactionClientContract, key: string, by: ChangedBy) {
  const roles: Array<{ id: string; name: string; permissions: string[] }> = await trx
    .from('roles')
    .select('id', 'name', 'permissions')
  for (const role of roles) {
    const kept = role.permissions.filter((permission) => !permission.startsWith(`${key}.`))
    if (kept.length === role.permissions.length) continue
    await trx
      .from('roles')
      .where('id', role.id)
      .update({ permissions: JSON.stringify(kept), updated_at: new Date() })
    await recordAudit(trx, {
      actor: actorOf(by.principal),
      action: 'core.roles.update',
      resource: 'core.roles',
      resource_id: role.name,
      data: { before: { permissions: role.permissions }, after: { permissions: kept } },
      request_id: by.requestId ?? null,
    })
  }
}
