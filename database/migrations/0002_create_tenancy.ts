import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The platform registry: tenants and their lifecycle history, custom domains,
 * platform users and the billing state that drives automatic suspension.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('tenants', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.string('slug', 40).notNullable()
      table.string('name', 200).notNullable()
      table
        .enum('status', ['provisioning', 'active', 'suspended', 'archived', 'deleted', 'failed'])
        .notNullable()
        .defaultTo('provisioning')
      table.string('plan', 40).notNullable().defaultTo('standard')
      table.timestamp('paid_until', { useTz: true }).nullable()
      table.string('schema_name', 63).notNullable().unique()
      table.jsonb('settings').notNullable().defaultTo('{}')
      table.jsonb('provisioning').notNullable().defaultTo('{}')
      table.string('admin_email', 254).nullable()
      table.timestamp('billing_warned_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    // A deleted tenant keeps its row (and history); its slug becomes free again.
    this.schema.raw(
      `CREATE UNIQUE INDEX tenants_slug_live ON tenants (slug) WHERE status <> 'deleted'`
    )
    this.schema.raw(`CREATE INDEX tenants_status ON tenants (status)`)

    this.schema.createTable('tenant_domains', (table) => {
      table.increments('id')
      table.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.string('domain', 253).notNullable().unique()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })

    this.schema.createTable('tenant_history', (table) => {
      table.bigIncrements('id')
      table.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.string('event', 60).notNullable()
      table.string('from_status', 20).nullable()
      table.string('to_status', 20).nullable()
      table.string('actor', 200).notNullable()
      table.text('reason').nullable()
      table.jsonb('data').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['tenant_id', 'created_at'])
    })

    this.schema.createTable('platform_users', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.string('email', 254).notNullable().unique()
      table.string('name', 200).notNullable()
      table.text('password_hash').nullable()
      table.boolean('disabled').notNullable().defaultTo(false)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })

    this.schema.createTable('billing_invoices', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.string('number', 40).notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      table.date('period_start').notNullable()
      table.date('period_end').notNullable()
      table.date('due_on').notNullable()
      table.enum('status', ['open', 'paid', 'void']).notNullable().defaultTo('open')
      table.timestamp('paid_at', { useTz: true }).nullable()
      table.string('payment_reference', 200).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['tenant_id', 'number'])
    })
  }

  async down() {
    this.schema.dropTable('billing_invoices')
    this.schema.dropTable('platform_users')
    this.schema.dropTable('tenant_history')
    this.schema.dropTable('tenant_domains')
    this.schema.dropTable('tenants')
  }
}
