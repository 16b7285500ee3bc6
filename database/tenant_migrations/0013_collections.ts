import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Tenant collections (core/collections, docs/collections.md): resources a
 * tenant admin defines at run time. A collection's design lives here — its
 * definition (fields as JSON), the changes applied to it, its saved views,
 * its forms (public ones with their own spam counters) and its automations
 * with their run log. Its records live in a table of its own, `col_<name>`,
 * created in the tenant schema when the collection is.
 */
export default defineTenantMigration({
  name: '0013_collections',
  up(schema, knex) {
    schema
      .createTable('collections', (table) => {
        table.bigIncrements('id')
        table.string('name', 40).notNullable().unique()
        table.string('label', 120).notNullable()
        table.string('description', 500).nullable()
        table.string('table_name', 63).notNullable().unique()
        // { fields: { <name>: FieldSpec }, title?, owner?, privacy? } (core/collections/definition.ts);
        // json, not jsonb: jsonb reorders an object's keys, and the fields' order is the admin's.
        table.json('definition').notNullable()
        table.integer('version').notNullable().defaultTo(1)
        table.string('created_by', 200).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .createTable('collection_changes', (table) => {
        table.bigIncrements('id')
        table.string('collection', 40).notNullable()
        table.integer('from_version').notNullable()
        table.integer('to_version').notNullable()
        table.jsonb('plan').notNullable()
        table.boolean('destructive').notNullable().defaultTo(false)
        // A copy of what a destructive change removed or rewrote (kept until the admin drops it).
        table.string('backup_table', 63).nullable()
        table.string('applied_by', 200).nullable()
        table.timestamp('applied_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['collection', 'id'])
      })
      .createTable('collection_views', (table) => {
        table.bigIncrements('id')
        table.string('collection', 40).notNullable()
        table.string('name', 80).notNullable()
        table.string('kind', 20).notNullable()
        table.jsonb('config').notNullable().defaultTo('{}')
        table.integer('position').notNullable().defaultTo(0)
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.unique(['collection', 'name'])
      })
      .createTable('collection_forms', (table) => {
        table.bigIncrements('id')
        table.string('collection', 40).notNullable()
        table.string('slug', 60).notNullable().unique()
        table.string('title', 120).notNullable()
        table.text('description').nullable()
        // [{ title, fields: [{ name, label?, help?, show_if? }] }]
        table.jsonb('sections').notNullable()
        table.boolean('public').notNullable().defaultTo(false)
        table.jsonb('settings').notNullable().defaultTo('{}')
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['collection'])
      })
      .createTable('collection_automations', (table) => {
        table.bigIncrements('id')
        table.string('collection', 40).notNullable()
        table.string('name', 120).notNullable()
        // { on: 'create' | 'update' | 'schedule', ... }
        table.jsonb('trigger').notNullable()
        // { type: 'notify' | 'webhook' | 'set_field' | 'create_record', ... }
        table.jsonb('action').notNullable()
        table.boolean('enabled').notNullable().defaultTo(true)
        table.timestamp('last_scheduled_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['collection'])
      })
      .createTable('collection_automation_runs', (table) => {
        table.bigIncrements('id')
        table
          .bigInteger('automation_id')
          .notNullable()
          .references('id')
          .inTable('collection_automations')
          .onDelete('CASCADE')
        table.string('record_id', 40).nullable()
        table.string('event', 100).notNullable()
        table.string('status', 20).notNullable().defaultTo('pending')
        table.integer('attempts').notNullable().defaultTo(0)
        table.text('error').nullable()
        table.jsonb('output').nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('finished_at', { useTz: true }).nullable()
        table.index(['automation_id', 'id'])
      })
  },
  down(schema) {
    schema
      .dropTable('collection_automation_runs')
      .dropTable('collection_automations')
      .dropTable('collection_forms')
      .dropTable('collection_views')
      .dropTable('collection_changes')
      .dropTable('collections')
  },
})
