import { defineTenantMigration } from '@oryne/sdk'

/**
 * What the resources cannot declare: gapless counters, the imports ledger and
 * uniqueness across several columns (one mark per student, date and session;
 * one section name per class; one component per category in a structure).
 */
export default defineTenantMigration({
  name: '0002_erp_workflows',
  up(schema, knex) {
    schema
      .createTable('erp_counters', (table) => {
        table.string('name', 40).primary()
        table.bigInteger('value').notNullable()
      })
      .createTable('erp_imports', (table) => {
        table.bigIncrements('id')
        table.string('kind', 40).notNullable()
        table.string('file_name', 200).notNullable()
        table.string('status', 20).notNullable()
        table.integer('processed').notNullable().defaultTo(0)
        table.integer('imported').notNullable().defaultTo(0)
        table.integer('failed').notNullable().defaultTo(0)
        table.integer('last_line').notNullable().defaultTo(0)
        table.jsonb('errors').notNullable().defaultTo('[]')
        table.string('created_by', 200).notNullable()
        table.timestamp('started_at', { useTz: true }).nullable()
        table.timestamp('finished_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .alterTable('erp_attendance_marks', (table) => {
        table.unique(['student_id', 'date', 'session'])
      })
      .alterTable('erp_sections', (table) => {
        table.unique(['class_id', 'name'])
      })
      .alterTable('erp_fee_components', (table) => {
        table.unique(['structure_id', 'category_id'])
      })
  },
  down(schema) {
    schema
      .alterTable('erp_fee_components', (table) =>
        table.dropUnique(['structure_id', 'category_id'])
      )
      .alterTable('erp_sections', (table) => table.dropUnique(['class_id', 'name']))
      .alterTable('erp_attendance_marks', (table) =>
        table.dropUnique(['student_id', 'date', 'session'])
      )
      .dropTable('erp_imports')
      .dropTable('erp_counters')
  },
})
