import { defineTenantMigration } from '@oryne/sdk'

/**
 * Plagiarism: the texts checks compare against (prior submissions and the
 * tenant's reference documents), their winnowing fingerprints (looked up by
 * hash), and one report per checked submission.
 */
export default defineTenantMigration({
  name: '0002_ai_plagiarism',
  up(schema, knex) {
    schema.createTable('ai_plagiarism_sources', (table) => {
      table.bigIncrements('id')
      table.enu('kind', ['submission', 'document']).notNullable()
      // The LMS submission of a submission source.
      table.bigInteger('submission_id').nullable().unique()
      table.bigInteger('course_id').nullable().index()
      table.bigInteger('student_id').nullable().index()
      // The client's id of a reference document.
      table.string('external_id', 200).nullable().unique()
      table.string('title', 300).nullable()
      table.text('text').notNullable()
      table.integer('words').notNullable()
      // Words per k-gram its fingerprints were made with: only comparable with the same k.
      table.smallint('k').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    })
    schema.createTable('ai_fingerprints', (table) => {
      table
        .bigInteger('source_id')
        .notNullable()
        .index()
        .references('id')
        .inTable('ai_plagiarism_sources')
        .onDelete('CASCADE')
      table.integer('hash').notNullable()
      table.integer('position').notNullable()
      // Lookups by hash, answered from the index alone (which sources hold it).
      table.index(['hash', 'source_id'])
    })
    // How many sources hold each fingerprint: what everyone writes is left out of candidate retrieval.
    schema.createTable('ai_fingerprint_frequency', (table) => {
      table.integer('hash').primary()
      table.integer('sources').notNullable()
    })
    schema.createTable('ai_plagiarism_reports', (table) => {
      table.bigIncrements('id')
      table.bigInteger('submission_id').notNullable().unique()
      table.bigInteger('course_id').nullable().index()
      table.float('score').notNullable()
      table.jsonb('matches').notNullable().defaultTo('[]')
      table.integer('words').notNullable()
      table.timestamp('checked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    })
  },
  down(schema) {
    schema
      .dropTableIfExists('ai_plagiarism_reports')
      .dropTableIfExists('ai_fingerprint_frequency')
      .dropTableIfExists('ai_fingerprints')
      .dropTableIfExists('ai_plagiarism_sources')
  },
})
