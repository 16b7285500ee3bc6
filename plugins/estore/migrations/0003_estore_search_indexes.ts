import { createSearchIndexes, defineTenantMigration } from '@oryne/sdk'

/** GIN indexes (full text and trigrams) over the searchable fields, in declaration order. */
export default defineTenantMigration({
  name: '0003_estore_search_indexes',
  up(schema) {
    createSearchIndexes(schema, 'estore_categories', ['name'])
    createSearchIndexes(schema, 'estore_products', ['name', 'description'])
    createSearchIndexes(schema, 'estore_variants', ['sku'])
  },
})
