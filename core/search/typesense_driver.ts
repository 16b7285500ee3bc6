import Typesense from 'typesense'
import { E_SEARCH_UNAVAILABLE } from '../errors.js'
import { rowCondition } from '../resources/access.js'
import type { ResourceModel } from '../resources/model.js'
import { present, projectionOf, tableOf, whereOf } from '../resources/query.js'
import { ident, selectRows } from '../resources/sql.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import { facetCounts } from './facets.js'
import type { SearchDriver, SearchOptions, SearchPage } from './types.js'

/** Candidates Typesense returns per query; row rules are applied to them in PostgreSQL. */
const CANDIDATES = 250
const BATCH = 1000

/**
 * Typesense (scale-out): one collection per tenant and resource behind the
 * alias `oryne_<tenant id>_<plugin>_<resource>`; a reindex builds a new
 * collection and swaps the alias, so searches never see a half-built index.
 * Typesense ranks (typo-tolerant, prefix matching); the records, row rules
 * and field visibility come from PostgreSQL, exactly as in the list endpoint.
 */
export class TypesenseSearchDriver implements SearchDriver {
  readonly kind = 'typesense'
  #client: InstanceType<typeof Typesense.Client>

  constructor(url: string, apiKey: string) {
    this.#client = new Typesense.Client({
      nodes: [{ url }],
      apiKey,
      connectionTimeoutSeconds: 5,
      retryIntervalSeconds: 0.2,
      numRetries: 2,
    })
  }

  static alias(model: ResourceModel) {
    return `oryne_${tenantContext.require().id}_${model.plugin}_${model.name}`
  }

  async #unavailable<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw new E_SEARCH_UNAVAILABLE([(error as Error).message], { cause: error })
    }
  }

  async reindex(model: ResourceModel) {
    const alias = TypesenseSearchDriver.alias(model)
    const fields = model.searchFields.map((field) => field.name)
    const name = `${alias}_${Date.now()}`
    return this.#unavailable(async () => {
      await this.#client.collections().create({
        name,
        fields: fields.map((field) => ({ name: field, type: 'string' as const, optional: true })),
      })
      const schema = tenantContext.require().schema_name
      let indexed = 0
      for (let after = '0'; ;) {
        const rows = await readTenantDb((client) =>
          selectRows(
            client,
            `SELECT t.id, ${fields.map((field) => `t.${ident(field)}`).join(', ')} FROM ${tableOf(model, schema)}
              WHERE t.id > ? ORDER BY t.id LIMIT ${BATCH}`,
            [after]
          )
        )
        if (!rows.length) break
        await this.#client
          .collections(name)
          .documents()
          .import(
            rows.map((row) => ({
              ...Object.fromEntries(fields.map((field) => [field, row[field] ?? undefined])),
              id: String(row.id),
            })),
            { action: 'upsert' }
          )
        indexed += rows.length
        after = String(rows.at(-1)!.id)
      }
      const previous = await this.#client
        .aliases(alias)
        .retrieve()
        .then((found) => found.collection_name)
        .catch(() => null)
      await this.#client.aliases().upsert(alias, { collection_name: name })
      if (previous) await this.#client.collections(previous).delete()
      return { indexed }
    })
  }

  /**
   * Upserts the documents of the rows with these ids and removes those whose
   * row is gone. A resource never indexed yet gets a full reindex instead.
   */
  async sync(model: ResourceModel, ids: string[]) {
    const alias = TypesenseSearchDriver.alias(model)
    const exists = await this.#client
      .aliases(alias)
      .retrieve()
      .then(() => true)
      .catch(() => false)
    if (!exists) return { ...(await this.reindex(model)), removed: 0 }
    const fields = model.searchFields.map((field) => field.name)
    const schema = tenantContext.require().schema_name
    const rows = await readTenantDb((client) =>
      selectRows(
        client,
        `SELECT t.id, ${fields.map((field) => `t.${ident(field)}`).join(', ')} FROM ${tableOf(model, schema)}
          WHERE t.id = ANY(?::bigint[])`,
        [ids]
      )
    )
    return this.#unavailable(async () => {
      if (rows.length)
        await this.#client
          .collections(alias)
          .documents()
          .import(
            rows.map((row) => ({
              ...Object.fromEntries(fields.map((field) => [field, row[field] ?? undefined])),
              id: String(row.id),
            })),
            { action: 'upsert' }
          )
      const found = new Set(rows.map((row) => String(row.id)))
      let removed = 0
      for (const id of ids.filter((candidate) => !found.has(candidate))) {
        const gone = await this.#client
          .collections(alias)
          .documents(id)
          .delete()
          .then(() => true)
          .catch((error: { httpStatus?: number }) => {
            if (error.httpStatus === 404) return false
            throw error
          })
        if (gone) removed++
      }
      return { indexed: rows.length, removed }
    })
  }

  async search(model: ResourceModel, query: string, options: SearchOptions): Promise<SearchPage> {
    const page = options.page ?? 1
    const perPage = options.perPage ?? 20
    const found = await this.#unavailable(() =>
      this.#client
        .collections(TypesenseSearchDriver.alias(model))
        .documents()
        .search({
          q: query,
          query_by: model.searchFields.map((field) => field.name).join(','),
          per_page: CANDIDATES,
          prefix: true,
        })
    )
    const ranked = (found.hits ?? []).map((hit) => ({
      id: String((hit.document as { id: string }).id),
      score: Number(hit.text_match ?? 0),
    }))
    if (!ranked.length) return { hits: [], total: 0, ...(options.facets ? { facets: {} } : {}) }
    const schema = tenantContext.require().schema_name
    const rows = await rowCondition(model, options.principal, schema)
    const projection = projectionOf(model, options.principal, null)
    // Typesense ranks; filters, row rules and visibility are PostgreSQL's, as in the list endpoint.
    const filtered = whereOf(model, { filters: options.filters ?? [], search: null }, rows)
    const where = {
      sql: `${filtered.sql ? `${filtered.sql} AND` : ' WHERE'} t.id = ANY(?::bigint[])`,
      bindings: [...filtered.bindings, ranked.map((hit) => hit.id)],
    }
    const [visible, facets] = await Promise.all([
      readTenantDb((client) =>
        selectRows(
          client,
          `SELECT ${projection.select} FROM ${tableOf(model, schema)}${where.sql}`,
          where.bindings
        )
      ),
      options.facets?.length ? facetCounts(model, schema, where, options.facets) : undefined,
    ])
    const byId = new Map(visible.map((row) => [String(row.id), row]))
    const hits = ranked
      .filter((hit) => byId.has(hit.id))
      .map((hit) => ({
        type: model.key,
        id: hit.id,
        score: hit.score,
        record: present(byId.get(hit.id)!, projection),
      }))
    return {
      hits: hits.slice((page - 1) * perPage, page * perPage),
      total: hits.length,
      ...(facets ? { facets } : {}),
    }
  }
}
