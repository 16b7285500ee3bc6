import { defineTenantMigration } from '@oryne/sdk'

/**
 * Who is offered an active product, for row rules that may use one
 * sub-select only: everyone, the students of the product's classes and their
 * guardians, or the holders of one of its roles. A view, so it follows ERP,
 * role and product status changes.
 */
const PRODUCT_AUDIENCE = `CREATE VIEW estore_product_audience AS
  SELECT p.id AS product_id, u.id AS user_id
    FROM estore_products p CROSS JOIN users u
   WHERE p.status = 'active' AND p.audience = 'all'
  UNION ALL
  SELECT p.id, s.user_id
    FROM estore_products p
    JOIN erp_students s ON jsonb_exists(p.audience_class_ids, s.class_id::text)
   WHERE p.status = 'active' AND p.audience = 'classes' AND s.user_id IS NOT NULL
  UNION ALL
  SELECT p.id, g.user_id
    FROM estore_products p
    JOIN erp_students s ON jsonb_exists(p.audience_class_ids, s.class_id::text)
    JOIN erp_guardians g ON g.student_id = s.id
   WHERE p.status = 'active' AND p.audience = 'classes' AND g.user_id IS NOT NULL
  UNION ALL
  SELECT p.id, ur.user_id
    FROM estore_products p
    JOIN roles r ON jsonb_exists(p.audience_roles, r.name)
    JOIN user_roles ur ON ur.role_id = r.id
   WHERE p.status = 'active' AND p.audience = 'roles'`

/** Invariants kept by PostgreSQL whoever writes: above all, stock never goes below zero. */
const CHECKS: Array<[table: string, name: string, condition: string]> = [
  ['estore_variants', 'estore_variants_stock_not_negative', 'stock >= 0'],
  ['estore_variants', 'estore_variants_price_not_negative', 'price >= 0'],
  ['estore_stock_movements', 'estore_stock_movements_balance_not_negative', 'balance >= 0'],
  ['estore_stock_movements', 'estore_stock_movements_quantity_not_zero', 'quantity <> 0'],
  ['estore_order_items', 'estore_order_items_quantity_positive', 'quantity > 0'],
  ['estore_orders', 'estore_orders_refunded_range', 'refunded >= 0 AND refunded <= total'],
  ['estore_refunds', 'estore_refunds_amount_positive', 'amount > 0'],
]

/**
 * What the resources cannot declare: the cart, idempotency keys, received
 * webhook events, the per-tenant counters of gapless receipt numbers, checks,
 * unique pairs, the reservation sweep's partial index and the audience view.
 */
export default defineTenantMigration({
  name: '0002_estore_workflows',
  up(schema, knex) {
    schema.createTable('estore_cart_items', (table) => {
      table.bigIncrements('id')
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE')
      table
        .bigInteger('variant_id')
        .notNullable()
        .index()
        .references('id')
        .inTable('estore_variants')
        .onDelete('CASCADE')
      table.integer('quantity').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.unique(['user_id', 'variant_id'])
    })
    // Who sent the request (actor), what for (scope) and the key: same key, same answer.
    schema.createTable('estore_idempotency_keys', (table) => {
      table.string('actor', 80).notNullable()
      table.string('scope', 80).notNullable()
      table.string('key', 255).notNullable()
      table.string('request_hash', 64).notNullable()
      table.integer('status').nullable()
      table.jsonb('response').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      table.primary(['actor', 'scope', 'key'])
    })
    schema.createTable('estore_webhook_events', (table) => {
      table.string('event_id', 200).primary()
      table.string('type', 100).notNullable()
      table.jsonb('payload').notNullable()
      table.string('outcome', 100).notNullable()
      table.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    })
    schema.createTable('estore_counters', (table) => {
      table.string('name', 40).primary()
      table.bigInteger('value').notNullable()
    })
    // The workflows always set these; NOT NULL keeps the checks below meaningful.
    schema.raw(
      `ALTER TABLE estore_variants ALTER COLUMN stock SET NOT NULL, ALTER COLUMN price SET NOT NULL`
    )
    schema.raw(
      `ALTER TABLE estore_orders ALTER COLUMN status SET NOT NULL, ALTER COLUMN total SET NOT NULL,
        ALTER COLUMN refunded SET NOT NULL`
    )
    schema
      .raw(
        `ALTER TABLE estore_cart_items ADD CONSTRAINT estore_cart_items_quantity_positive CHECK (quantity > 0)`
      )
      .alterTable('estore_orders', (table) => table.unique(['receipt_no']))
      .alterTable('estore_order_items', (table) => table.unique(['order_id', 'variant_id']))
      .raw(
        `CREATE UNIQUE INDEX estore_payments_external_id_unique ON estore_payments (provider, external_id)
          WHERE external_id IS NOT NULL`
      )
      .raw(
        `CREATE INDEX estore_orders_reservation_index ON estore_orders (reserved_until)
          WHERE status = 'placed'`
      )
    for (const [table, name, condition] of CHECKS) {
      schema.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${condition})`)
    }
    schema.raw(PRODUCT_AUDIENCE)
  },
  down(schema) {
    schema.raw('DROP VIEW IF EXISTS estore_product_audience')
    for (const [table, name] of CHECKS)
      schema.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`)
    schema
      .raw('DROP INDEX IF EXISTS estore_orders_reservation_index')
      .raw('DROP INDEX IF EXISTS estore_payments_external_id_unique')
      .alterTable('estore_order_items', (table) => table.dropUnique(['order_id', 'variant_id']))
      .alterTable('estore_orders', (table) => table.dropUnique(['receipt_no']))
      .dropTable('estore_counters')
      .dropTable('estore_webhook_events')
      .dropTable('estore_idempotency_keys')
      .dropTable('estore_cart_items')
  },
})
