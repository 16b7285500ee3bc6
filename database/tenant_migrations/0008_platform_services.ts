import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Platform services. Outbound webhooks (docs/webhooks.md): endpoints a tenant admin subscribes to
 * events, one delivery per event and endpoint, and every attempt with its
 * status code and latency. Presigned uploads (docs/storage.md): an upload
 * reserves its declared size against the tenant's quota until it is confirmed
 * or expires; `storage_quota` is the one row every reservation locks. `notification_once`: notifications
 * sent at most once per template, user and key (notify's `once`, e.g. one fee
 * reminder per invoice per day), enforced by its primary key.
 */
export default defineTenantMigration({
  name: '0008_platform_services',
  up(schema, knex) {
    schema
      .createTable('webhook_endpoints', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.string('url', 2000).notNullable()
        table.string('description', 500).nullable()
        // Event names or patterns (`erp.*`, `*`).
        table.jsonb('events').notNullable()
        // Encrypted with APP_KEY: it signs every delivery, so it must be readable by Oryne.
        table.text('secret').notNullable()
        table.string('status', 20).notNullable().defaultTo('enabled')
        // First failure of the current run of failures; cleared by a success.
        table.timestamp('failing_since', { useTz: true }).nullable()
        table.timestamp('disabled_at', { useTz: true }).nullable()
        table.string('disabled_reason', 500).nullable()
        table.string('created_by', 200).notNullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .createTable('webhook_deliveries', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table
          .uuid('endpoint_id')
          .notNullable()
          .references('webhook_endpoints.id')
          .onDelete('CASCADE')
        table.string('event', 200).notNullable()
        // The exact body sent (and signed) at every attempt.
        table.text('body').notNullable()
        table.string('status', 20).notNullable().defaultTo('pending')
        table.integer('attempts').notNullable().defaultTo(0)
        table.integer('last_status_code').nullable()
        table.string('last_error', 1000).nullable()
        table.timestamp('delivered_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['endpoint_id', 'created_at'])
      })
      .createTable('webhook_attempts', (table) => {
        table.bigIncrements('id')
        table
          .uuid('delivery_id')
          .notNullable()
          .references('webhook_deliveries.id')
          .onDelete('CASCADE')
        table.integer('number').notNullable()
        table.boolean('manual').notNullable().defaultTo(false)
        table.integer('status_code').nullable()
        table.integer('latency_ms').notNullable()
        table.string('error', 1000).nullable()
        table.timestamp('attempted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['delivery_id', 'number'])
      })
      .createTable('uploads', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.string('purpose', 120).notNullable()
        table.string('name', 255).notNullable()
        table.string('content_type', 255).notNullable()
        table.bigInteger('size').notNullable()
        table.string('key', 500).notNullable().unique()
        // pending (reserving its size) -> confirmed | rejected | expired
        table.string('status', 20).notNullable().defaultTo('pending')
        // What the fs driver's signed PUT received (S3 keeps it on the object).
        table.string('received_content_type', 255).nullable()
        table.uuid('file_id').nullable().references('files.id').onDelete('SET NULL')
        table.string('uploaded_by', 200).notNullable()
        table.timestamp('expires_at', { useTz: true }).notNullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('confirmed_at', { useTz: true }).nullable()
        table.index(['status', 'expires_at'])
      })
      .createTable('storage_quota', (table) => {
        table.integer('id').primary()
        // Null: the deployment's default (ORYNE_STORAGE_QUOTA_MB).
        table.bigInteger('quota_bytes').nullable()
      })
      .raw('INSERT INTO storage_quota (id, quota_bytes) VALUES (1, NULL)')
      .createTable('notification_once', (table) => {
        table.string('template', 120).notNullable()
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        table.string('key', 200).notNullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.primary(['template', 'user_id', 'key'])
      })
  },
  down(schema) {
    schema
      .dropTable('notification_once')
      .dropTable('storage_quota')
      .dropTable('uploads')
      .dropTable('webhook_attempts')
      .dropTable('webhook_deliveries')
      .dropTable('webhook_endpoints')
  },
})
