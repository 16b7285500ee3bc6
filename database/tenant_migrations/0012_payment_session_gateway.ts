import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * The gateway a checkout session was opened at: an open session is answered
 * again to a second press only at the same gateway (a school that switches
 * gateway opens its sessions at the new one).
 */
export default defineTenantMigration({
  name: '0012_payment_session_gateway',
  up(schema) {
    schema.alterTable('payment_sessions', (table) => {
      table.string('gateway_url', 500).nullable()
    })
  },
  down(schema) {
    schema.alterTable('payment_sessions', (table) => {
      table.dropColumn('gateway_url')
    })
  },
})
