import { BaseSchema } from '@adonisjs/lucid/schema'

/** TOTP MFA of platform users, the platform twin of the tenant tables of 0005_access_control. */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('platform_user_mfa', (table) => {
      table.uuid('user_id').primary().references('platform_users.id').onDelete('CASCADE')
      table.text('secret').notNullable()
      table.timestamp('enabled_at', { useTz: true }).nullable()
      table.bigInteger('last_time_step').nullable()
      table.jsonb('recovery_codes').notNullable().defaultTo('[]')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })

    this.schema.createTable('platform_mfa_challenges', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('user_id').notNullable().references('platform_users.id').onDelete('CASCADE')
      table.string('token_hash', 64).notNullable().unique()
      table.integer('attempts').notNullable().defaultTo(0)
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('used_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['user_id'])
    })
  }

  async down() {
    this.schema.dropTable('platform_mfa_challenges')
    this.schema.dropTable('platform_user_mfa')
  }
}
