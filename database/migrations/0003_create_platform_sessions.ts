import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Platform users' roles and sign-in sessions, the platform twin of the tenant
 * migration 0003_sessions: a session per sign-in, its refresh tokens a family
 * (each used once; a second use revokes the session), stored as SHA-256 digests.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('platform_users', (table) => {
      table.specificType('roles', 'text[]').notNullable().defaultTo('{PlatformAdmin}')
      table.timestamp('last_login_at', { useTz: true }).nullable()
    })

    this.schema.createTable('platform_sessions', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('user_id').notNullable().references('platform_users.id').onDelete('CASCADE')
      table.string('ip', 64).nullable()
      table.string('user_agent', 400).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('revoked_at', { useTz: true }).nullable()
      table.string('revoked_reason', 40).nullable()
      table.index(['user_id'])
    })

    this.schema.createTable('platform_refresh_tokens', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('family_id').notNullable().references('platform_sessions.id').onDelete('CASCADE')
      table.string('token_hash', 64).notNullable().unique()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('rotated_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['family_id'])
    })
  }

  async down() {
    this.schema.dropTable('platform_refresh_tokens')
    this.schema.dropTable('platform_sessions')
    this.schema.alterTable('platform_users', (table) => {
      table.dropColumn('last_login_at')
      table.dropColumn('roles')
    })
  }
}
