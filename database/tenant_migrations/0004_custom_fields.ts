import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Tenant custom fields: fields a tenant admin adds to a plugin's resource
 * without DDL. The definitions live here; the values in each row's `custom`
 * jsonb column (docs/resources.md).
 */
export default defineTenantMigration({
  name: '0004_custom_fields',
  up(schema, knex) {
    schema.createTable('custom_fields', (table) => {
      table.bigIncrements('id')
      table.string('plugin', 60).notNullable()
      table.string('resource', 60).notNullable()
      table.string('name', 40).notNullable()
      table.string('type', 20).notNullable()
      table.boolean('required').notNullable().defaultTo(false)
      table.decimal('min', 20, 6).nullable()
      table.decimal('max', 20, 6).nullable()
      table.jsonb('values').nullable()
      table.string('description', 500).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.unique(['plugin', 'resource', 'name'])
    })
  },
  down(schema) {
    schema.dropTable('custom_fields')
  },
})
