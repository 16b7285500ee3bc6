import type { ResourcePrincipal } from '../resources/define_resource.js'
import { visibilityOf } from '../resources/access.js'
import type { ResourceModel } from '../resources/model.js'
import { tableOf } from '../resources/query.js'
import { selectRows } from '../resources/sql.js'
import { readTenantDb } from '../tenancy/tenant_db.js'

export type FacetCounts = Record<string, Array<{ value: string | null; count: number }>>

const MAX_VALUES = 20

/** Keyword fields a caller can facet on: enum and boolean fields whose values they may see. */
export function facetableFields(model: ResourceModel, principal: ResourcePrincipal) {
  return model.declared.filter(
    (field) =>
      (field.definition.type === 'enum' || field.definition.type === 'boolean') &&
      visibilityOf(field, principal) === 'value'
  )
}

/**
 * Counts per value of each facet field over the rows `where` selects, in
 * one scan (GROUPING SETS), the most frequent MAX_VALUES values per field.
 */
export async function facetCounts(
  model: ResourceModel,
  schema: string,
  where: { sql: string; bindings: unknown[] },
  names: string[]
): Promise<FacetCounts> {
  if (!names.length) return {}
  const columns = names.map((name) => model.fields.get(name)!.expr)
  const sql =
    `SELECT ${columns.map((column, i) => `${column}::text AS v${i}`).join(', ')}, ` +
    `GROUPING(${columns.join(', ')}) AS g, count(*) AS n FROM ${tableOf(model, schema)}${where.sql} ` +
    `GROUP BY GROUPING SETS (${columns.map((column) => `(${column})`).join(', ')})`
  const rows = await readTenantDb((client) => selectRows(client, sql, where.bindings))
  const facets: FacetCounts = Object.fromEntries(names.map((name) => [name, []]))
  for (const row of rows) {
    // GROUPING sets the bit of every argument not grouped in this row's set.
    const index = names.findIndex((_, i) => (Number(row.g) & (1 << (names.length - 1 - i))) === 0)
    facets[names[index]].push({ value: row[`v${index}`] ?? null, count: Number(row.n) })
  }
  for (const name of names) {
    facets[name].sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)))
    facets[name] = facets[name].slice(0, MAX_VALUES)
  }
  return facets
}
