import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Access control, second increment: custom roles (description, update time),
 * partner API keys (stored as SHA-256 digests, scoped to permissions), a
 * fuller audit log (resource, id, ip, user agent) and TOTP MFA with its
 * sign-in challenges.
 */
export default defineTenantMigration({
  name: '0005_access_control',
  up(schema, knex) {
    schema
      .alterTable('roles', (table) => {
        table.string('description', 500).nullable()
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .alterTable('audit_log', (table) => {
        table.string('resource', 120).nullable()
        table.string('resource_id', 120).nullable()
        table.string('ip', 64).nullable()
        table.string('user_agent', 400).nullable()
        table.index(['actor', 'created_at'])
        table.index(['action', 'created_at'])
        table.index(['resource', 'resource_id'])
      })
      .createTable('api_keys', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.string('name', 120).notNullable()
        table.string('prefix', 24).notNullable()
        table.string('key_hash', 64).notNullable().unique()
        table.jsonb('scopes').notNullable().defaultTo('[]')
        table.integer('rate_limit_per_hour').nullable()
        table.timestamp('expires_at', { useTz: true }).nullable()
        table.timestamp('last_used_at', { useTz: true }).nullable()
        table.timestamp('revoked_at', { useTz: true }).nullable()
        table.string('created_by', 200).notNullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .createTable('user_mfa', (table) => {
        table.uuid('user_id').primary().references('users.id').onDelete('CASCADE')
        table.text('secret').notNullable()
        table.timestamp('enabled_at', { useTz: true }).nullable()
        table.bigInteger('last_time_step').nullable()
        table.jsonb('recovery_codes').notNullable().defaultTo('[]')
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .createTable('mfa_challenges', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        table.string('token_hash', 64).notNullable().unique()
        table.integer('attempts').notNullable().defaultTo(0)
        table.timestamp('expires_at', { useTz: true }).notNullable()
        table.timestamp('used_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['user_id'])
      })
  },
  down(schema) {
    schema
      .dropTable('mfa_challenges')
      .dropTable('user_mfa')
      .dropTable('api_keys')
      .alterTable('audit_log', (table) => {
        table.dropIndex(['actor', 'created_at'])
        table.dropIndex(['action', 'created_at'])
        table.dropIndex(['resource', 'resource_id'])
        table.dropColumns('resource', 'resource_id', 'ip', 'user_agent')
      })
      .alterTable('roles', (table) => {
        table.dropColumns('description', 'updated_at')
      })
  },
})
