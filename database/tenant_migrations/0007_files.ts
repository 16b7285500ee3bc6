import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Files uploaded through `POST /api/v1/files` or the SDK's storeFile()
 * (docs/storage.md): one row per stored object, whose `key` is its place on
 * the disk, always under `tenants/<tenant id>/`.
 */
export default defineTenantMigration({
  name: '0007_files',
  up(schema, knex) {
    schema.createTable('files', (table) => {
      table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
      table.string('name', 255).notNullable()
      table.bigInteger('size').notNullable()
      table.string('content_type', 255).notNullable()
      table.string('key', 500).notNullable().unique()
      // `user:<id>`, `api_key:<id>`, `platform`, or the plugin that stored it
      table.string('uploaded_by', 200).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.index(['uploaded_by', 'created_at'])
    })
  },
  down(schema) {
    schema.dropTable('files')
  },
})
