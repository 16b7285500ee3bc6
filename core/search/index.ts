/*
 * Search (docs/search.md): one interface, two drivers — PostgreSQL full-text
 * (default) and Typesense (scale-out).
 */
export { search, searchMany, searchDriver } from './search_service.js'
export { PostgresSearchDriver } from './postgres_driver.js'
export { TypesenseSearchDriver } from './typesense_driver.js'
export type { SearchDriver, SearchHit, SearchOptions, SearchPage } from './types.js'
export { reindexTenant, searchIndexJob, type ReindexOutcome } from './indexing.js'
