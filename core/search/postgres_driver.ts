import { rowCondition, type RowCondition } from '../resources/access.js'
import type { ResourceModel } from '../resources/model.js'
import { present, projectionOf, tableOf, whereOf, type Projection } from '../resources/query.js'
import { selectRows } from '../resources/sql.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import { queryTerms, rankOf, type MatchMode } from './document.js'
import { facetCounts } from './facets.js'
import type { SearchDriver, SearchOptions, SearchPage } from './types.js'

/**
 * PostgreSQL full-text search in the tenant's schema, with the list
 * endpoint's filters, row rules and field visibility. Words first (every
 * term as a word prefix, ranked by ts_rank); only when no row matches them
 * does it look for misspellings (trigram similarity, ranked by it). Both are
 * served by the GIN indexes of createSearchIndexes; matching words alone
 * keeps the common case to one index and no similarity computed per row.
 */
export class PostgresSearchDriver implements SearchDriver {
  readonly kind = 'postgres'

  async search(model: ResourceModel, query: string, options: SearchOptions): Promise<SearchPage> {
    if (!queryTerms(query).length)
      return { hits: [], total: 0, ...(options.facets ? { facets: {} } : {}) }
    const schema = tenantContext.require().schema_name
    const rows = await rowCondition(model, options.principal, schema)
    const projection = projectionOf(model, options.principal, null)
    const words = await this.#page(model, query, options, { schema, rows, projection }, 'words')
    if (words.total > 0 || (await this.#anyMatch(model, query, options, schema, rows))) return words
    return this.#page(model, query, options, { schema, rows, projection }, 'similar')
  }

  async #page(
    model: ResourceModel,
    query: string,
    options: SearchOptions,
    scope: { schema: string; rows: RowCondition; projection: Projection },
    mode: MatchMode
  ): Promise<SearchPage> {
    const page = options.page ?? 1
    const perPage = options.perPage ?? 20
    const where = whereOf(
      model,
      { filters: options.filters ?? [], search: query },
      scope.rows,
      mode
    )
    const rank = rankOf(model, query, mode)
    const sql =
      `SELECT ${scope.projection.select}, ${rank.sql} AS __score, ` +
      `count(*) OVER () AS __total FROM ${tableOf(model, scope.schema)}${where.sql} ` +
      `ORDER BY __score DESC, t.id LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`
    const [found, facets] = await Promise.all([
      readTenantDb((client) => selectRows(client, sql, [...rank.bindings, ...where.bindings])),
      options.facets?.length ? facetCounts(model, scope.schema, where, options.facets) : undefined,
    ])
    return {
      total: found.length ? Number(found[0].__total) : 0,
      hits: found.map((row) => ({
        type: model.key,
        id: String(row.id),
        score: Number(row.__score),
        record: present(row, scope.projection),
      })),
      ...(facets ? { facets } : {}),
    }
  }

  /** Past the last page a word search returns no row: whether words matched at all decides the fallback. */
  async #anyMatch(
    model: ResourceModel,
    query: string,
    options: SearchOptions,
    schema: string,
    rows: RowCondition
  ) {
    if ((options.page ?? 1) === 1) return false
    const where = whereOf(model, { filters: options.filters ?? [], search: query }, rows, 'words')
    const found = await readTenantDb((client) =>
      selectRows(
        client,
        `SELECT EXISTS (SELECT 1 FROM ${tableOf(model, schema)}${where.sql}) AS any`,
        where.bindings
      )
    )
    return Boolean(found[0]?.any)
  }

  async reindex() {
    // The table is the index.
    return { indexed: 0 }
  }

  async sync() {
    return { indexed: 0, removed: 0 }
  }
}
