import type { ResourcePrincipal, RowRuleQuery, RowRuleSubquery } from './define_resource.js'
import type { CompiledField } from './fields.js'
import type { ResourceModel } from './model.js'
import { ident, SqlParts } from './sql.js'

/*
 * Who sees what: row rules narrow the rows (list, detail, update, delete and
 * search alike), field visibility hides sensitive values.
 */

/** A condition on the table aliased `t`, or `null` when the principal sees every row. */
export type RowCondition = { sql: string; bindings: unknown[] } | null

const NAME = /^[a-z_][a-z0-9_]*$/

/** Principals no row rule narrows: the platform and tenant admins. */
function unrestricted(principal: ResourcePrincipal) {
  return principal.kind === 'platform' || principal.roles.includes('TenantAdmin')
}

class ConditionCollector implements RowRuleQuery {
  readonly parts = new SqlParts()

  constructor(
    private model: ResourceModel,
    private schema: string
  ) {}

  #column(column: string) {
    if (column !== 'id' && !this.model.declared.some((field) => field.name === column)) {
      throw new Error(`Row rule of ${this.model.key} names an unknown column "${column}"`)
    }
    return `t.${ident(column)}`
  }

  where(column: string, value: unknown) {
    const target = this.#column(column)
    if (value === null || value === undefined) this.parts.add(`${target} IS NULL`)
    else this.parts.add(`${target} = ?`, value)
    return this
  }

  whereIn(column: string, values: readonly unknown[] | RowRuleSubquery) {
    const target = this.#column(column)
    if (Array.isArray(values)) {
      if (!values.length) this.parts.add('FALSE')
      else this.parts.add(`${target} IN (${values.map(() => '?').join(', ')})`, ...values)
      return this
    }
    const subquery = values as RowRuleSubquery
    for (const name of [subquery.table, subquery.column, ...Object.keys(subquery.where)]) {
      if (!NAME.test(name))
        throw new Error(`Row rule of ${this.model.key} names an invalid table or column "${name}"`)
    }
    const where = Object.entries(subquery.where).map(([key, value]) =>
      value === null ? `${ident(key)} IS NULL` : `${ident(key)} = ?`
    )
    const bindings = Object.values(subquery.where).filter((value) => value !== null)
    this.parts.add(
      `${target} IN (SELECT ${ident(subquery.column)} FROM ${ident(this.schema)}.${ident(subquery.table)}${
        where.length ? ` WHERE ${where.join(' AND ')}` : ''
      })`,
      ...bindings
    )
    return this
  }
}

/**
 * The rows `principal` may reach in `model`: the union of the rules of its
 * roles. A role without a rule, the platform and TenantAdmin see every row.
 */
export async function rowCondition(
  model: ResourceModel,
  principal: ResourcePrincipal,
  schema: string
): Promise<RowCondition> {
  const rules = model.rowRules
  if (unrestricted(principal) || !principal.roles.length) return null
  if (principal.roles.some((role) => !rules[role])) return null
  const alternatives: string[] = []
  const bindings: unknown[] = []
  for (const role of principal.roles) {
    const query = new ConditionCollector(model, schema)
    const verdict = await rules[role](principal, query)
    if (verdict === false) continue
    if (verdict === true || query.parts.empty) return null
    alternatives.push(`(${query.parts.join(' AND ')})`)
    bindings.push(...query.parts.bindings)
  }
  if (!alternatives.length) return { sql: 'FALSE', bindings: [] }
  return { sql: `(${alternatives.join(' OR ')})`, bindings }
}

/** How a field shows to a principal: its value, `***`, or not at all. */
export type Visibility = 'value' | 'mask' | 'omit'

export function visibilityOf(field: CompiledField, principal: ResourcePrincipal): Visibility {
  if (!field.sensitive || principal.can(field.sensitive.permission)) return 'value'
  return field.sensitive.mode
}

/** The sensitive fields of `model` the principal may see, as a short key for caches. */
export function visibilityKey(model: ResourceModel, principal: ResourcePrincipal) {
  let key = ''
  for (const field of model.declared) if (field.sensitive) key += visibilityOf(field, principal)[0]
  return key
}

export const MASK = '***'
