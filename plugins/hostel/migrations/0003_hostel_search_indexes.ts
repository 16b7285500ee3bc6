import { createSearchIndexes, defineTenantMigration } from '@oryne/sdk'

/** GIN indexes (full text and trigrams) over the searchable fields, in declaration order. */
export default defineTenantMigration({
  name: '0003_hostel_search_indexes',
  up(schema) {
    createSearchIndexes(schema, 'hostel_hostels', ['name'])
  },
})
