import { defineTenantMigration } from '@oryne/sdk'

/**
 * Code plagiarism on handed-in work: the source files of prior submissions
 * (a submission's code is compared with its course's earlier code), and the
 * code matches of each report beside its text matches.
 */
export default defineTenantMigration({
  name: '0003_ai_code_sources',
  up(schema, knex) {
    schema.createTable('ai_code_sources', (table) => {
      table.bigIncrements('id')
      table.bigInteger('submission_id').notNullable().index()
      table.bigInteger('course_id').notNullable()
      table.bigInteger('student_id').notNullable()
      table.string('name', 300).notNullable()
      table.string('language', 20).notNullable()
      table.text('content').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      // A check reads its course's most recent files first.
      table.index(['course_id', 'id'])
    })
    schema.alterTable('ai_plagiarism_reports', (table) => {
      table.jsonb('code_matches').notNullable().defaultTo('[]')
    })
  },
  down(schema) {
    schema.alterTable('ai_plagiarism_reports', (table) => {
      table.dropColumn('code_matches')
    })
    schema.dropTableIfExists('ai_code_sources')
  },
})
