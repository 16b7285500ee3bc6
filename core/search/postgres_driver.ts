import { rowCondition } from '../resources/access.js'
import type { ResourceModel } from '../resources/model.js'
import { present, projectionOf, tableOf, whereOf } from '../resources/query.js'
import { selectRows } from '../resources/sql.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import type { SearchDriver, SearchOptions, SearchPage } from './types.js'

/**
 * PostgreSQL full-text search in the tenant's schema: the same match as the
 * list endpoint's `search=` (whereOf: the `search: true` fields, row rules
 * included), ranked by ts_rank over the same document.
 */
export class PostgresSearchDriver implements SearchDriver {
  readonly kind = 'postgres'

  async search(model: ResourceModel, query: string, options: SearchOptions): Promise<SearchPage> {
    const page = options.page ?? 1
    const perPage = options.perPage ?? 20
    const schema = tenantContext.require().schema_name
    const rows = await rowCondition(model, options.principal, schema)
    const projection = projectionOf(model, options.principal, null)
    const where = whereOf(model, { filters: [], search: query }, rows)
    const document = `to_tsvector('simple', concat_ws(' ', ${model.searchFields.map((field) => field.expr).join(', ')}))`
    const sql =
      `SELECT ${projection.select}, ts_rank(${document}, plainto_tsquery('simple', ?)) AS __score, ` +
      `count(*) OVER () AS __total FROM ${tableOf(model, schema)}${where.sql} ` +
      `ORDER BY __score DESC, t.id LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`
    const found = await readTenantDb((client) =>
      selectRows(client, sql, [query, ...where.bindings])
    )
    return {
      total: found.length ? Number(found[0].__total) : 0,
      hits: found.map((row) => ({
        type: model.key,
        id: String(row.id),
        score: Number(row.__score),
        record: present(row, projection),
      })),
    }
  }

  async reindex() {
    // The table is the index.
    return { indexed: 0 }
  }

  async sync() {
    return { indexed: 0, removed: 0 }
  }
}
