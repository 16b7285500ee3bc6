import type { ResourceModel } from '../resources/model.js'
import { ident } from '../resources/sql.js'

/*
 * The searchable document of a resource row, written once so that the query
 * (list `search=`, /api/v1/search) and the GIN indexes a plugin's migration
 * creates (createSearchIndexes) are the same expression: PostgreSQL uses an
 * expression index only for an identical expression. The text is the
 * resource's `search: true` fields in declaration order; `||` over coalesced
 * text is immutable where concat_ws is not, so it can be indexed.
 */

const words = (fields: string[], qualifier: string) =>
  fields.map((field) => `coalesce(${qualifier}${ident(field)}, '')`).join(` || ' ' || `)

/** The document text of a row (table alias `t`). */
export function documentText(model: ResourceModel) {
  return `(${words(
    model.searchFields.map((field) => field.name),
    't.'
  )})`
}

/** The full-text vector over the document text. */
export function documentVector(model: ResourceModel) {
  return `to_tsvector('simple', ${documentText(model)})`
}

/**
 * The two indexes search uses on `table`: full text (tsvector, GIN) for word
 * and prefix matches, trigrams (pg_trgm, GIN) for misspelt words. `fields`
 * must be the resource's `search: true` fields in declaration order.
 */
export function searchIndexStatements(table: string, fields: string[]) {
  const text = `(${words(fields, '')})`
  return [
    `CREATE INDEX IF NOT EXISTS ${ident(`${table}_search_fts`)} ON ${ident(table)} USING gin ((to_tsvector('simple', ${text})))`,
    `CREATE INDEX IF NOT EXISTS ${ident(`${table}_search_trgm`)} ON ${ident(table)} USING gin ((${text}) public.gin_trgm_ops)`,
  ]
}

/** For a tenant migration: `createSearchIndexes(schema, 'erp_students', ['enrollment_no', 'first_name', 'last_name'])`. */
export function createSearchIndexes(
  schema: { raw(sql: string): unknown },
  table: string,
  fields: string[]
) {
  for (const statement of searchIndexStatements(table, fields)) schema.raw(statement)
}

const MAX_TERMS = 8

/**
 * The words of a query as the index sees them: letters and digits, lower
 * case, at most MAX_TERMS. Everything else (quotes, operators, SQL) is a
 * separator, so a query can never change the tsquery's structure.
 */
export function queryTerms(query: string): string[] {
  return (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_TERMS)
}

/** Every term, each as a prefix (`ada:* & love:*`): matches as the user types. */
export function prefixTsquery(terms: string[]) {
  return terms.map((term) => `${term}:*`).join(' & ')
}

/**
 * How a query matches: `words` — every term as a word prefix (the full-text
 * GIN index); `similar` — the query trigram-similar to a stretch of the
 * document (pg_trgm's `<%`, threshold pg_trgm.word_similarity_threshold,
 * 0.6 by default; the trigram GIN index), the fallback for misspellings.
 */
export type MatchMode = 'words' | 'similar'

/** The WHERE condition of a match, with its bindings. */
export function matchCondition(model: ResourceModel, query: string, mode: MatchMode = 'words') {
  const terms = queryTerms(query)
  if (!terms.length) return { sql: 'false', bindings: [] as unknown[] }
  return mode === 'words'
    ? {
        sql: `${documentVector(model)} @@ to_tsquery('simple', ?)`,
        bindings: [prefixTsquery(terms)] as unknown[],
      }
    : {
        sql: `? OPERATOR(public.<%) ${documentText(model)}`,
        bindings: [terms.join(' ')] as unknown[],
      }
}

/** Relevance of a match: ts_rank for words, trigram word similarity for near misses. */
export function rankOf(model: ResourceModel, query: string, mode: MatchMode) {
  const terms = queryTerms(query)
  return mode === 'words'
    ? {
        sql: `ts_rank(${documentVector(model)}, to_tsquery('simple', ?))`,
        bindings: [prefixTsquery(terms)] as unknown[],
      }
    : {
        sql: `public.word_similarity(?, ${documentText(model)})`,
        bindings: [terms.join(' ')] as unknown[],
      }
}
