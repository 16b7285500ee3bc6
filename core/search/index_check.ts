import type { ResourceModel } from '../resources/model.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'

/**
 * Searchable resources of the current tenant whose table lacks the search
 * indexes, or has them over other fields than the resource searches (the
 * query then falls back to a sequential scan: correct, but slow). Compares
 * the fields named in each index definition, in order.
 */
export async function missingSearchIndexes(models: ResourceModel[]) {
  const searchable = models.filter((model) => model.searchFields.length)
  if (!searchable.length) return []
  const schema = tenantContext.require().schema_name
  const rows = await readTenantDb((client) =>
    client.rawQuery('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ?', [schema])
  )
  const definitions = new Map<string, string>(
    rows.rows.map((row: { indexname: string; indexdef: string }) => [row.indexname, row.indexdef])
  )
  const problems: Array<{ resource: string; index: string; problem: string }> = []
  for (const model of searchable) {
    const expected = model.searchFields.map((field) => field.name)
    for (const kind of ['fts', 'trgm']) {
      const index = `${model.table}_search_${kind}`
      const definition = definitions.get(index)
      const covered = [...(definition ?? '').matchAll(/COALESCE\(\(?"?([a-z0-9_]+)/gi)].map(
        (match) => match[1]
      )
      if (!definition) problems.push({ resource: model.key, index, problem: 'missing' })
      else if (covered.join(',') !== expected.join(','))
        problems.push({
          resource: model.key,
          index,
          problem: `covers ${covered.join(', ')} but the resource searches ${expected.join(', ')}`,
        })
    }
  }
  return problems
}
