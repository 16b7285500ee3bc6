import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Plugins seen by this installation and, per tenant, which are enabled in
 * which version with which settings.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('plugins', (table) => {
      table.string('name', 100).notNullable()
      table.string('version', 50).notNullable()
      table.text('description').nullable()
      table.string('source', 300).notNullable()
      table.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['name', 'version'])
    })

    this.schema.createTable('tenant_plugins', (table) => {
      table.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.string('plugin', 100).notNullable()
      table.string('version', 50).notNullable()
      table.enum('status', ['enabled', 'disabled']).notNullable()
      table.jsonb('settings').notNullable().defaultTo('{}')
      table.timestamp('enabled_at', { useTz: true }).nullable()
      table.timestamp('disabled_at', { useTz: true }).nullable()
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'plugin'])
    })
  }

  async down() {
    this.schema.dropTable('tenant_plugins')
    this.schema.dropTable('plugins')
  }
}
