import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Fleet operations: the migration state of every tenant (a fingerprint of the
 * migrations its schema has, so an up-to-date fleet is checked in one query),
 * the `oryne migrate` runs, and the catalog of tenant backups.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('tenant_migration_state', (table) => {
      table.uuid('tenant_id').primary().references('tenants.id').onDelete('CASCADE')
      table.specificType('fingerprint', 'char(64)').nullable()
      table.timestamp('migrated_at', { useTz: true }).nullable()
      table.uuid('run_id').nullable()
      table.jsonb('last_error').nullable()
      table.timestamp('failed_at', { useTz: true }).nullable()
    })

    this.schema.createTable('migration_runs', (table) => {
      table.uuid('id').primary()
      table.string('status', 20).notNullable()
      table.string('actor', 200).notNullable()
      table.string('host', 255).notNullable()
      table.integer('pid').notNullable()
      table.jsonb('options').notNullable().defaultTo('{}')
      table.jsonb('summary').nullable()
      table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('finished_at', { useTz: true }).nullable()
      table.index(['started_at'])
    })

    this.schema.createTable('tenant_backups', (table) => {
      table.uuid('id').primary()
      table.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.text('path').notNullable()
      table.bigInteger('size_bytes').notNullable()
      table.specificType('sha256', 'char(64)').notNullable()
      table.string('reason', 200).notNullable()
      table.string('actor', 200).notNullable()
      table.boolean('encrypted').notNullable().defaultTo(false)
      table.boolean('with_files').notNullable()
      table.jsonb('summary').notNullable().defaultTo('{}')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['tenant_id', 'created_at'])
    })
  }

  async down() {
    this.schema.dropTable('tenant_backups')
    this.schema.dropTable('migration_runs')
    this.schema.dropTable('tenant_migration_state')
  }
}
