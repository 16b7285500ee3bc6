import { createSearchIndexes, defineTenantMigration } from '@oryne/sdk'

/** GIN indexes (full text and trigrams) over the searchable fields, in declaration order. */
export default defineTenantMigration({
  name: '0003_lms_search_indexes',
  up(schema) {
    createSearchIndexes(schema, 'lms_courses', ['code', 'title', 'description'])
    createSearchIndexes(schema, 'lms_assignments', ['title'])
    createSearchIndexes(schema, 'lms_materials', ['title'])
  },
})
