import { rowCondition, type RowCondition } from '../resources/access.js'
import type { ResourceModel } from '../resources/model.js'
import { present, projectionOf, tableOf, whereOf, type Projection } from '../resources/query.js'
import { selectRows } from '../resources/sql.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import { ident } from '../resources/sql.js'
import { queryTerms, rankOf, type MatchMode } from './document.js'
import { facetCounts } from './facets.js'
import type { SearchDriver, SearchHit, SearchOptions, SearchPage } from './types.js'

/** Relevance first, then type and id, so that equal scores page the same way every time. */
export function byRelevance(a: SearchHit, b: SearchHit) {
  return b.score - a.score || a.type.localeCompare(b.type) || Number(a.id) - Number(b.id)
}

/**
 * A column of a projection as it must read inside a JSON row so that it comes
 * back exactly as `pg` gives it in a plain row: int8 and numeric as text
 * (pg gives strings, JSON numbers would lose the scale), timestamps parsed
 * back into Dates below, everything else as is.
 */
function asJson(kind: string | undefined, name: string) {
  const column = `q.${ident(name)}`
  return kind === 'bigint' || kind === 'decimal'
    ? `${column}::text AS ${ident(name)}`
    : `${column} AS ${ident(name)}`
}

/** Timestamps of a JSON row back into Dates, as `pg` gives them in a plain row. */
function revive(model: ResourceModel, row: Record<string, unknown>) {
  for (const [name, value] of Object.entries(row)) {
    if (typeof value === 'string' && model.fields.get(name)?.kind === 'datetime')
      row[name] = new Date(value)
  }
  return row
}

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

  /**
   * Several resources in one statement: each resource's best `window` matches
   * (its row rules and field visibility applied), as JSON rows, UNION ALL;
   * words first, and the trigram fallback only when no resource matched a
   * word. The caller merges by score and cuts the page.
   */
  async searchMany(
    models: ResourceModel[],
    query: string,
    options: SearchOptions & { window: number }
  ): Promise<{ hits: SearchHit[]; total: number }> {
    if (!queryTerms(query).length || !models.length) return { hits: [], total: 0 }
    const schema = tenantContext.require().schema_name
    const scopes = await Promise.all(
      models.map(async (model) => ({
        model,
        rows: await rowCondition(model, options.principal, schema),
        projection: projectionOf(model, options.principal, null),
      }))
    )
    const words = await this.#union(schema, scopes, query, options.window, 'words')
    if (words.total > 0) return words
    return this.#union(schema, scopes, query, options.window, 'similar')
  }

  async #union(
    schema: string,
    scopes: Array<{ model: ResourceModel; rows: RowCondition; projection: Projection }>,
    query: string,
    window: number,
    mode: MatchMode
  ) {
    const bindings: unknown[] = []
    const parts = scopes.map(({ model, rows, projection }, index) => {
      const where = whereOf(model, { filters: [], search: query }, rows, mode)
      const rank = rankOf(model, query, mode)
      bindings.push(...rank.bindings, ...where.bindings)
      const read = projection.emit
        .filter((item) => !item.mask)
        .map((item) => asJson(model.fields.get(item.name)?.kind, item.name))
      return (
        `(SELECT ${index} AS __model, q.__score, q.__total, to_jsonb(r) AS __row FROM (` +
        `SELECT ${projection.select}, ${rank.sql} AS __score, count(*) OVER () AS __total ` +
        `FROM ${tableOf(model, schema)}${where.sql} ` +
        `ORDER BY __score DESC, t.id LIMIT ${window}) q ` +
        `CROSS JOIN LATERAL (SELECT ${read.join(', ')}) r)`
      )
    })
    const found = await readTenantDb((client) =>
      selectRows(client, parts.join(' UNION ALL '), bindings)
    )
    const totals = new Map<number, number>()
    const hits = found.map((row) => {
      const { model, projection } = scopes[row.__model]
      totals.set(row.__model, Number(row.__total))
      const record = present(revive(model, row.__row), projection)
      return { type: model.key, id: String(record.id), score: Number(row.__score), record }
    })
    return { hits, total: [...totals.values()].reduce((sum, total) => sum + total, 0) }
  }

  async reindex() {
    // The table is the index.
    return { indexed: 0 }
  }

  async sync() {
    return { indexed: 0, removed: 0 }
  }
}
