import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/**
 * Sign-in sessions of tenant users. A session is one sign-in (one device); its
 * refresh tokens form a family: each is used once and replaced, and a second
 * use of any of them revokes the session. Tokens are stored as SHA-256 digests.
 */
export default defineTenantMigration({
  name: '0003_sessions',
  up(schema, knex) {
    schema
      .alterTable('users', (table) => {
        table.timestamp('last_login_at', { useTz: true }).nullable()
      })
      .createTable('auth_sessions', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        table.string('ip', 64).nullable()
        table.string('user_agent', 400).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('revoked_at', { useTz: true }).nullable()
        table.string('revoked_reason', 40).nullable()
        table.index(['user_id'])
      })
      .createTable('refresh_tokens', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.uuid('family_id').notNullable().references('auth_sessions.id').onDelete('CASCADE')
        table.string('token_hash', 64).notNullable().unique()
        table.timestamp('expires_at', { useTz: true }).notNullable()
        table.timestamp('rotated_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['family_id'])
      })
      .createTable('password_resets', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        table.string('token_hash', 64).notNullable().unique()
        table.timestamp('expires_at', { useTz: true }).notNullable()
        table.timestamp('used_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.index(['user_id'])
      })
  },
  down(schema) {
    schema
      .dropTable('password_resets')
      .dropTable('refresh_tokens')
      .dropTable('auth_sessions')
      .alterTable('users', (table) => {
        table.dropColumn('last_login_at')
      })
  },
})
