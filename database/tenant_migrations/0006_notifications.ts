import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Notifications (docs/notifications.md): the in-app inbox, one delivery row per
 * message sent through GNS (its attempts, and the dead letters a tenant admin
 * sees), per-user and tenant-default preferences, and the tenant's overrides
 * of template subjects and bodies.
 */
export default defineTenantMigration({
  name: '0006_notifications',
  up(schema, knex) {
    schema
      .createTable('notifications', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        table.string('template', 120).notNullable()
        table.text('subject').nullable()
        table.text('body').notNullable()
        table.jsonb('data').notNullable().defaultTo('{}')
        table.string('priority', 20).notNullable()
        table.timestamp('read_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['user_id', 'created_at'])
      })
      .createTable('notification_deliveries', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        table.string('template', 120).notNullable()
        table.string('channel', 20).notNullable()
        table.string('priority', 20).notNullable()
        table.text('subject').nullable()
        table.text('body').notNullable()
        table.jsonb('data').notNullable().defaultTo('{}')
        // queued -> sent | retrying -> ... -> dead (the dead-letter list) | skipped (no GNS configured)
        table.string('status', 20).notNullable().defaultTo('queued')
        table.integer('attempts').notNullable().defaultTo(0)
        table.text('last_error').nullable()
        table.timestamp('sent_at', { useTz: true }).nullable()
        table.timestamp('dead_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['status', 'created_at'])
        table.index(['user_id', 'created_at'])
      })
      .createTable('notification_preferences', (table) => {
        table.bigIncrements('id')
        // null: the tenant's default for everyone
        table.uuid('user_id').nullable().references('users.id').onDelete('CASCADE')
        // a template key, or '*' for every template
        table.string('template', 120).notNullable()
        table.string('channel', 20).notNullable()
        table.boolean('enabled').notNullable()
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .raw(
        `CREATE UNIQUE INDEX notification_preferences_key
           ON notification_preferences (user_id, template, channel) NULLS NOT DISTINCT`
      )
      .createTable('notification_template_overrides', (table) => {
        table.string('template', 120).primary()
        table.text('subject').nullable()
        table.text('body').nullable()
        table.string('updated_by', 200).notNullable()
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
  },
  down(schema) {
    schema
      .dropTable('notification_template_overrides')
      .dropTable('notification_preferences')
      .dropTable('notification_deliveries')
      .dropTable('notifications')
  },
})
