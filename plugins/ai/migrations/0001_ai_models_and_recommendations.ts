import { defineTenantMigration } from '@oryne/sdk'

/**
 * The model registry and the implicit feedback recommendations learn from.
 * At most one promoted model per kind, enforced by a partial unique index, so
 * two concurrent promotions cannot both win.
 */
export default defineTenantMigration({
  name: '0001_ai_models_and_recommendations',
  up(schema, knex) {
    schema.createTable('ai_models', (table) => {
      table.bigIncrements('id')
      table.string('kind', 40).notNullable()
      table.integer('version').notNullable()
      table.enu('status', ['candidate', 'promoted', 'retired', 'rejected', 'failed']).notNullable()
      table.enu('source', ['trained', 'uploaded']).notNullable()
      table.uuid('file_id').nullable()
      table.bigInteger('size_bytes').notNullable().defaultTo(0)
      table.timestamp('window_from', { useTz: true }).nullable()
      table.timestamp('window_to', { useTz: true }).nullable()
      table.jsonb('metrics').notNullable().defaultTo('{}')
      table.jsonb('io').notNullable().defaultTo('{}')
      table.jsonb('vocabulary').nullable()
      table.text('error').nullable()
      table.string('created_by', 80).notNullable().defaultTo('system')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.timestamp('promoted_at', { useTz: true }).nullable()
      table.unique(['kind', 'version'])
    })
    schema.raw(
      `CREATE UNIQUE INDEX ai_models_one_promoted ON ai_models (kind) WHERE status = 'promoted'`
    )

    schema.createTable('ai_interactions', (table) => {
      table.bigIncrements('id')
      table
        .uuid('user_id')
        .notNullable()
        .index()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.enu('item_type', ['courses', 'books', 'products', 'events']).notNullable()
      table.string('item_id', 64).notNullable()
      table.float('weight').notNullable().defaultTo(1)
      table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.string('source', 80).notNullable()
      // Replays of the same interaction (a client retrying, an event delivered twice) add nothing.
      table.string('client_id', 120).nullable().unique()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.index(['item_type', 'item_id'])
    })
    schema.raw(
      'ALTER TABLE ai_interactions ADD CONSTRAINT ai_interactions_weight CHECK (weight > 0)'
    )
  },
  down(schema) {
    schema.dropTableIfExists('ai_interactions').dropTableIfExists('ai_models')
  },
})
