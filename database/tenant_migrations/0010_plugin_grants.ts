import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * The grants each plugin seeded into the built-in roles, per plugin: the
 * version that seeded them, its expanded default grants (role ->
 * permissions) and their digest. Kept beside `roles`, so that backups, restores and clones
 * carry both together. Upgrades compare a new version's grants with this
 * record, not with the roles: what differs in the roles was changed by hand.
 */
export default defineTenantMigration({
  name: '0010_plugin_grants',
  up(schema, knex) {
    schema.createTable('plugin_grants', (table) => {
      table.string('plugin', 100).primary()
      table.string('version', 50).notNullable()
      table.jsonb('grants').notNullable().defaultTo('{}')
      // grantsDigest of the version recorded: equal digests, nothing to reconcile.
      table.string('digest', 64).notNullable().defaultTo('')
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    })
  },
  down(schema) {
    schema.dropTable('plugin_grants')
  },
})
