import { createSearchIndexes, defineTenantMigration } from '@oryne/sdk'

/** GIN indexes (full text and trigrams) over the searchable fields, in declaration order. */
export default defineTenantMigration({
  name: '0003_erp_search_indexes',
  up(schema) {
    createSearchIndexes(schema, 'erp_students', ['enrollment_no', 'first_name', 'last_name'])
    createSearchIndexes(schema, 'erp_teachers', ['name'])
    createSearchIndexes(schema, 'erp_applicants', ['first_name', 'last_name'])
  },
})
