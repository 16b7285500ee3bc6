import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Reports (docs/reports.md): exports of resource lists (queued jobs with their
 * progress and the stored file), and the scheduled reports tenant admins
 * subscribe to.
 */
export default defineTenantMigration({
  name: '0009_reports',
  up(schema, knex) {
    schema
      .createTable('report_exports', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.string('resource', 120).notNullable()
        table.string('format', 10).notNullable()
        // The list query string the export replays (filters, sort, search, fields).
        table.text('query').notNullable().defaultTo('')
        // queued -> running -> completed | failed
        table.string('status', 20).notNullable().defaultTo('queued')
        table.integer('progress').notNullable().defaultTo(0)
        table.integer('row_count').notNullable().defaultTo(0)
        table.integer('total_rows').nullable()
        table.uuid('file_id').nullable().references('files.id').onDelete('SET NULL')
        table.text('error').nullable()
        // `user:<id>`, `api_key:<id>` or `platform`: who may follow it
        table.string('requested_by', 200).notNullable()
        // What the job needs to act as the requester again (kind, id, API key scopes)
        table.jsonb('principal').notNullable()
        table.uuid('subscription_id').nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('started_at', { useTz: true }).nullable()
        table.timestamp('finished_at', { useTz: true }).nullable()
        table.index(['requested_by', 'created_at'])
      })
      .createTable('report_subscriptions', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        // export: a file of a resource list; digest: the dashboard figures
        table.string('kind', 20).notNullable()
        table.string('title', 200).notNullable()
        table.string('resource', 120).nullable()
        table.string('format', 10).nullable()
        table.text('query').notNullable().defaultTo('')
        table.string('cron', 120).notNullable()
        // The tenant's time zone when it was scheduled: the repeatable job is found again by it.
        table.string('time_zone', 64).notNullable()
        table.timestamp('last_run_at', { useTz: true }).nullable()
        table.string('created_by', 200).notNullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['user_id'])
      })
  },
  down(schema) {
    schema.dropTable('report_subscriptions').dropTable('report_exports')
  },
})
