import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Online payments (core/payments): the tenant's card gateway (key and webhook
 * secret encrypted with APP_KEY), every checkout session opened for a plugin's
 * purpose (an ERP invoice, ...), which is how a webhook finds its owner in this
 * tenant and nowhere else, and every gateway event received, stored under its
 * id with what it did, so that a redelivered event does nothing twice.
 */
export default defineTenantMigration({
  name: '0011_payments',
  up(schema, knex) {
    schema
      .createTable('payment_providers', (table) => {
        table.string('provider', 30).primary()
        table.string('api_url', 500).notNullable()
        table.text('api_key').notNullable()
        table.text('webhook_secret').notNullable()
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .createTable('payment_sessions', (table) => {
        table.bigIncrements('id')
        table.string('provider', 30).notNullable()
        table.string('external_id', 200).notNullable().unique()
        // `<plugin>.<what>`: the handler the webhook dispatches to, and what it pays.
        table.string('purpose', 100).notNullable()
        table.string('reference', 100).notNullable()
        table.bigInteger('amount').notNullable()
        table.string('currency', 3).notNullable()
        table.text('url').notNullable()
        // The Idempotency-Key sent to the gateway: a retry with the caller's key finds its session here.
        table.string('gateway_key', 400).nullable().unique()
        table.string('status', 20).notNullable().defaultTo('open')
        table.string('outcome', 60).nullable()
        table.string('created_by', 200).notNullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['purpose', 'reference'])
      })
      .createTable('payment_events', (table) => {
        table.string('event_id', 200).primary()
        table.string('type', 100).notNullable()
        table.string('session_id', 200).nullable()
        table.string('outcome', 60).notNullable()
        table.text('payload').notNullable()
        table.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
  },
  down(schema) {
    schema.dropTable('payment_events').dropTable('payment_sessions').dropTable('payment_providers')
  },
})
