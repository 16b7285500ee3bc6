import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * What collection automations (core/collections/automations) need beyond
 * 0013: a run keeps the event it acts on (a retry, automatic or by the admin,
 * acts on the same record snapshot) and when its latest try started; a webhook
 * automation keeps its signing secret apart from its action, sealed with
 * APP_KEY like a webhook endpoint's, so that a design exported as a template
 * never carries it.
 */
export default defineTenantMigration({
  name: '0015_collection_automation_runs',
  up(schema) {
    schema
      .alterTable('collection_automations', (table) => {
        table.text('secret').nullable()
      })
      .alterTable('collection_automation_runs', (table) => {
        table.jsonb('payload').notNullable().defaultTo('{}')
        table.timestamp('started_at', { useTz: true }).nullable()
      })
  },
  down(schema) {
    schema
      .alterTable('collection_automation_runs', (table) => {
        table.dropColumn('started_at')
        table.dropColumn('payload')
      })
      .alterTable('collection_automations', (table) => {
        table.dropColumn('secret')
      })
  },
})
