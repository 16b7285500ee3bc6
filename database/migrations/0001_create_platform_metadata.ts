import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Facts about this installation as a whole (its id, when it was first started),
 * kept in the public schema beside the platform registry.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('platform_metadata', (table) => {
      table.string('key', 100).primary()
      table.jsonb('value').notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
  }

  async down() {
    this.schema.dropTable('platform_metadata')
  }
}
