import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/** Who did what in the tenant; written by core and every plugin. */
export default defineTenantMigration({
  name: '0002_audit_log',
  up(schema, knex) {
    schema.createTable('audit_log', (table) => {
      table.bigIncrements('id')
      table.string('actor', 200).notNullable()
      table.string('action', 100).notNullable()
      table.string('subject', 200).nullable()
      table.jsonb('data').nullable()
      table.string('request_id', 128).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.index(['created_at'])
    })
  },
  down(schema) {
    schema.dropTable('audit_log')
  },
})
