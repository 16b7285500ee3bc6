import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * What collection forms (core/collections/forms) need beyond 0013: how many
 * submissions a form has taken, counted in the same statement that admits one,
 * so a form's `max_submissions` holds however many arrive at once.
 */
export default defineTenantMigration({
  name: '0014_collection_form_submissions',
  up(schema) {
    schema.alterTable('collection_forms', (table) => {
      table.integer('submissions').notNullable().defaultTo(0)
    })
  },
  down(schema) {
    schema.alterTable('collection_forms', (table) => {
      table.dropColumn('submissions')
    })
  },
})
