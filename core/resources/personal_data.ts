import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { ResourceCatalog } from './catalog.js'
import { USERS_TARGET, type ResourceModel } from './model.js'
import { ident, selectRows, SqlParts } from './sql.js'

/*
 * A plugin's personal data, derived from its resource declarations
 * (docs/plugins.md, "Personal data"): the rows whose `personal: 'subject'`
 * reference leads to the person are theirs; export shows those rows, erasure
 * empties their `personal: true` values (or deletes the rows of a resource
 * declared `privacy: { erase: 'delete' }`). Privacy hooks add what a
 * declaration cannot say; core/plugins/privacy.ts runs both.
 */

/** What an erased required string or text reads (it may not be empty). */
export const ERASED_TEXT = '(erased)'

/** Subject references followed through other resources at most this deep (students -> users is 1). */
const MAX_DEPTH = 4

type Condition = { sql: string; bindings: unknown[] }

/**
 * The rows of `model` (aliased `alias`) about the user: any subject reference
 * equal to the user, or naming a row of a resource whose own subject is the
 * user. Null when the resource declares no subject.
 */
function subjectCondition(
  catalog: ResourceCatalog,
  model: ResourceModel,
  alias: string,
  schema: string,
  userId: string,
  depth = 0
): Condition | null {
  if (!model.personal.subjects.length) return null
  const parts = new SqlParts()
  for (const { field, target } of model.personal.subjects) {
    const column = `${alias}.${ident(field.name)}`
    if (target === USERS_TARGET) {
      parts.add(`${column} = ?`, userId)
      continue
    }
    const owner = catalog.get(target)
    const inner = `s${depth}`
    const condition =
      owner && depth < MAX_DEPTH
        ? subjectCondition(catalog, owner, inner, schema, userId, depth + 1)
        : null
    if (!owner || !condition)
      throw new Error(
        `${model.key}.${field.name} is a personal subject naming ${target}, which has no personal: 'subject' field`
      )
    parts.add(
      `${column} IN (SELECT ${inner}."id" FROM ${ident(schema)}.${ident(owner.table)} ${inner} WHERE ${condition.sql})`,
      ...condition.bindings
    )
  }
  return { sql: `(${parts.join(' OR ')})`, bindings: parts.bindings }
}

/** Whether a field is shown in an export: not a reference to another user (who decided, who marked). */
function exported(model: ResourceModel, name: string) {
  const reference = model.references.find((each) => each.field.name === name)
  return (
    !reference ||
    reference.target !== USERS_TARGET ||
    reference.field.definition.options.personal === 'subject'
  )
}

/**
 * The user's rows in each of `models` that declares a subject, by resource
 * name, oldest first: `id`, the declared fields (as the API shows them, but
 * not other users' ids), tenant custom fields, and beside each reference the
 * title of the record it names (`room: "101"` beside `room_id`).
 */
export async function exportDeclaredPersonalData(
  client: QueryClientContract,
  catalog: ResourceCatalog,
  models: ResourceModel[],
  schema: string,
  userId: string
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const archive: Record<string, Array<Record<string, unknown>>> = {}
  for (const model of models) {
    const where = subjectCondition(catalog, model, 't', schema, userId)
    if (!where) continue
    const select = [model.fields.get('id')!.select!]
    for (const field of model.declared) if (exported(model, field.name)) select.push(field.select!)
    if (model.customFields) select.push('t."custom"')
    const joins: string[] = []
    model.references.forEach(({ as, field, target }, index) => {
      const title = target === USERS_TARGET ? undefined : catalog.get(target)?.title
      if (!title) return
      const alias = `r${index}`
      const targetTable = catalog.get(target)!.table
      joins.push(
        `LEFT JOIN ${ident(schema)}.${ident(targetTable)} ${alias} ON ${alias}."id" = t.${ident(field.name)}`
      )
      select.push(`${alias}.${ident(title.name)} AS ${ident(as)}`)
    })
    archive[model.name] = await selectRows(
      client,
      `SELECT ${select.join(', ')} FROM ${ident(schema)}.${ident(model.table)} t ${joins.join(' ')}
        WHERE ${where.sql} ORDER BY t."id"`,
      where.bindings
    )
  }
  return archive
}

/**
 * Erases the user's rows in each of `models` that declares a subject:
 * deletes them (`privacy: { erase: 'delete' }`, counted as `<resource>_erased`)
 * or empties their personal values (`<resource>_redacted`, only rows that
 * still held something). Idempotent: a second run counts zeros.
 */
export async function eraseDeclaredPersonalData(
  client: QueryClientContract,
  catalog: ResourceCatalog,
  models: ResourceModel[],
  schema: string,
  userId: string
): Promise<Record<string, number>> {
  const summary: Record<string, number> = {}
  // Dependants first: a plugin declares its resources in dependency order.
  for (const model of [...models].reverse()) {
    const where = subjectCondition(catalog, model, 't', schema, userId)
    if (!where) continue
    const table = `${ident(schema)}.${ident(model.table)}`
    if (model.personal.erase === 'delete') {
      const result = await client.rawQuery(
        `DELETE FROM ${table} t WHERE ${where.sql}`,
        where.bindings as any[]
      )
      summary[`${model.name}_erased`] = Number(result.rowCount ?? 0)
      continue
    }
    if (!model.personal.values.length) continue
    const erased = model.personal.values.map((field) => ({
      column: ident(field.name),
      value: field.definition.options.required ? ERASED_TEXT : null,
    }))
    const sets = erased.map(({ column }) => `${column} = ?`)
    const changed = erased.map(({ column }) => `t.${column} IS DISTINCT FROM ?`)
    const values = erased.map(({ value }) => value)
    const result = await client.rawQuery(
      `UPDATE ${table} t SET ${sets.join(', ')}, "updated_at" = now()
        WHERE ${where.sql} AND (${changed.join(' OR ')})`,
      [...values, ...where.bindings, ...values] as any[]
    )
    summary[`${model.name}_redacted`] = Number(result.rowCount ?? 0)
  }
  return summary
}
