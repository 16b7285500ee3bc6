import { defineTenantMigration } from '#core/tenancy/migrations/define_tenant_migration'

/** Tenant users and their roles. Passwords, tokens and MFA arrive with the identity issue. */
export default defineTenantMigration({
  name: '0001_identity',
  up(schema, knex) {
    schema
      .createTable('users', (table) => {
        table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
        table.string('email', 254).notNullable().unique()
        table.string('name', 200).notNullable()
        table.string('status', 20).notNullable().defaultTo('invited')
        table.text('password_hash').nullable()
        table.string('invite_token_hash', 64).nullable()
        table.timestamp('invite_expires_at', { useTz: true }).nullable()
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
        table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .createTable('roles', (table) => {
        table.increments('id')
        table.string('name', 60).notNullable().unique()
        table.boolean('builtin').notNullable().defaultTo(false)
        table.jsonb('permissions').notNullable().defaultTo('[]')
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      })
      .createTable('user_roles', (table) => {
        table.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
        table.integer('role_id').notNullable().references('roles.id').onDelete('CASCADE')
        table.primary(['user_id', 'role_id'])
      })
  },
  down(schema) {
    schema.dropTable('user_roles').dropTable('roles').dropTable('users')
  },
})
