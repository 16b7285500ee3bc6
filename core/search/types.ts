import type { ResourcePrincipal } from '../resources/define_resource.js'
import type { ResourceModel } from '../resources/model.js'
import type { Filter } from '../resources/query.js'
import type { FacetCounts } from './facets.js'

export type SearchOptions = {
  /** Whose row rules and field visibility apply. */
  principal: ResourcePrincipal
  page?: number
  perPage?: number
  /** List-endpoint filters (`filter[status]=active`) narrowing the matches. */
  filters?: Filter[]
  /** Enum or boolean fields to count the matches by (see facetableFields). */
  facets?: string[]
}

/** One match: the record as the principal sees it in the list endpoint, with a relevance score. */
export type SearchHit = {
  type: string
  id: string
  score: number
  record: Record<string, unknown>
  /** Searchable fields with the matched word prefixes in <mark>, HTML-escaped (see highlightsOf). */
  highlights?: Record<string, string>
}

export type SearchPage = { hits: SearchHit[]; total: number; facets?: FacetCounts }

/** What both drivers do, for one resource of the current tenant. */
export interface SearchDriver {
  readonly kind: 'postgres' | 'typesense'
  search(model: ResourceModel, query: string, options: SearchOptions): Promise<SearchPage>
  /** Brings the index of one resource up to date with its table (no-op for PostgreSQL). */
  reindex(model: ResourceModel): Promise<{ indexed: number }>
  /**
   * Brings the index entries of these records in step with their rows: rows
   * that exist are (re)indexed, missing ones removed (no-op for PostgreSQL).
   */
  sync(model: ResourceModel, ids: string[]): Promise<{ indexed: number; removed: number }>
}
