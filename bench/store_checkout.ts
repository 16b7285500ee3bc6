/*
 * E-store checkout (plugins/estore/services/checkout.ts), in one process on
 * a durable PostgreSQL (fsync on: every checkout is a commit):
 * - "Last items": 100 shoppers, each with one unit in their cart, check out
 *   at the same moment against a stock of 10. Every round must end with
 *   exactly 10 orders, stock 0 and a ledger that sums to the stock; the
 *   benchmark fails otherwise. BENCH_RUNS rounds (default 5), fresh variant each.
 * - "Ample stock": checkouts of two-line carts with 8 in flight, for
 *   throughput, BENCH_CHECKOUTS (default 400) per variant and round.
 * Each measured side by side with a baseline in the same run and rounds:
 * - "Service": `checkout()`, what POST /api/v1/estore/checkout calls, as a
 *   Student principal (permission, settings, audience check, idempotency
 *   plumbing, audit entry, events);
 * - "Hand-written SQL": the same transaction through its own `pg` pool of
 *   the same size: lock the cart, conditional UPDATE per variant in id
 *   order, order, ledger lines, order lines, empty the cart. The floor.
 */
process.env.LOG_LEVEL ??= 'warn'

import pg from 'pg'
import type { Tenant } from '#core/tenancy/types'
import { pool } from '#core/utils/pool'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const SHOPPERS = 100
const LAST_STOCK = 10
const ROUNDS = Number(process.env.BENCH_RUNS) || 5
const CHECKOUTS = Number(process.env.BENCH_CHECKOUTS) || 400
const IN_FLIGHT = 8
const POOL = Number(process.env.DATABASE_POOL_MAX) || 10

const oryne = await startOryne('console', { durable: true })
let bare: pg.Pool | undefined

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { principalForRoles } = await import('#core/rbac/authorize')
  const { checkout } = await import('#plugins/estore/services/checkout')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-store-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['erp', 'estore'], { actor: 'bench' })
  const schema = tenant.schema_name
  const inTenant = <T>(fn: () => Promise<T>) => tenantContext.run(tenant, fn)
  const sql = (text: string, bindings: unknown[] = []) =>
    inTenant(() => withTenantDb((trx) => trx.rawQuery(text, bindings as any[])))

  // Shoppers: plain user rows with the Student role (no passwords: nobody signs in).
  const shopperCount = Math.max(SHOPPERS, CHECKOUTS) * 2
  await sql(
    `INSERT INTO users (email, name) SELECT 'shopper' || g || '@bench.example', 'Shopper ' || g
       FROM generate_series(1, ?) g`,
    [shopperCount]
  )
  await sql(
    `INSERT INTO user_roles (user_id, role_id)
     SELECT u.id, r.id FROM users u, roles r WHERE r.name = 'Student' AND u.email LIKE 'shopper%'`
  )
  const { rows: users } = await sql(
    `SELECT id FROM users WHERE email LIKE 'shopper%' ORDER BY email`
  )
  const userIds = users.map((row: { id: string }) => row.id)
  const { rows: product } = await sql(
    `INSERT INTO estore_products (name, status, audience, tax_rate_bp) VALUES ('Hoodie', 'active', 'all', 500) RETURNING id`
  )
  const productId = product[0].id
  let skuNo = 0
  const newVariant = async (stock: number) => {
    const { rows } = await sql(
      `INSERT INTO estore_variants (product_id, sku, price, stock, active)
       VALUES (?, ?, 2500, 0, true) RETURNING id`,
      [productId, `SKU-${++skuNo}`]
    )
    const id = String(rows[0].id)
    await sql(
      `WITH v AS (UPDATE estore_variants SET stock = ? WHERE id = ? RETURNING id, stock)
       INSERT INTO estore_stock_movements (variant_id, quantity, balance, reason, actor)
       SELECT id, stock, stock, 'adjustment', 'bench' FROM v`,
      [stock, id]
    )
    return id
  }
  /** One cart line per variant for each of `shoppers`. */
  const fillCarts = (shoppers: string[], variants: string[]) =>
    sql(
      `INSERT INTO estore_cart_items (user_id, variant_id, quantity)
       SELECT u, v::bigint, 1 FROM unnest(?::uuid[]) u, unnest(?::text[]) v`,
      [shoppers, variants]
    )
  const principals = await inTenant(() =>
    Promise.all(userIds.map((id: string) => principalForRoles('user', id, ['Student'])))
  )

  const viaService = (index: number) => async () => {
    try {
      await inTenant(() => checkout(principals[index], { payment_method: 'offline' }))
      return true
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_ESTORE_OUT_OF_STOCK') return false
      throw error
    }
  }

  bare = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: POOL })
  const sqlPool = bare
  /** The same transaction, hand-written: the floor. */
  const viaSql = (index: number) => async () => {
    const client = await sqlPool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`SELECT set_config('search_path', $1, true)`, [`"${schema}", public`])
      const { rows: lines } = await client.query(
        `SELECT c.variant_id, c.quantity, v.price, v.sku, p.id AS product_id, p.name, p.tax_rate_bp
           FROM estore_cart_items c
           JOIN estore_variants v ON v.id = c.variant_id
           JOIN estore_products p ON p.id = v.product_id
          WHERE c.user_id = $1 ORDER BY c.variant_id FOR UPDATE OF c`,
        [userIds[index]]
      )
      const net = lines.map((l) => Number(l.price) * l.quantity)
      const tax = lines.map((l, i) => Math.floor((net[i] * Number(l.tax_rate_bp) + 5000) / 10000))
      const subtotal = net.reduce((a, b) => a + b, 0)
      const taxes = tax.reduce((a, b) => a + b, 0)
      const {
        rows: [order],
      } = await client.query(
        `INSERT INTO estore_orders (user_id, status, payment_method, subtotal, tax, total, refunded, reserved_until)
         VALUES ($1, 'placed', 'offline', $2, $3, $4, 0, now() + interval '2 days') RETURNING id`,
        [userIds[index], subtotal, taxes, subtotal + taxes]
      )
      for (const line of lines) {
        const { rows: moved } = await client.query(
          `UPDATE estore_variants SET stock = stock - $1 WHERE id = $2 AND stock >= $1 RETURNING stock`,
          [line.quantity, line.variant_id]
        )
        if (!moved.length) {
          await client.query('ROLLBACK')
          return false
        }
        await client.query(
          `INSERT INTO estore_stock_movements (variant_id, quantity, balance, reason, order_id, actor)
           VALUES ($1, $2, $3, 'reservation', $4, 'bench')`,
          [line.variant_id, -line.quantity, moved[0].stock, order.id]
        )
      }
      for (const [i, line] of lines.entries()) {
        await client.query(
          `INSERT INTO estore_order_items (order_id, product_id, variant_id, name, sku, quantity, unit_price, tax, total)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            order.id,
            line.product_id,
            line.variant_id,
            line.name,
            line.sku,
            line.quantity,
            line.price,
            tax[i],
            net[i] + tax[i],
          ]
        )
      }
      await client.query('DELETE FROM estore_cart_items WHERE user_id = $1', [userIds[index]])
      await client.query('COMMIT')
      return true
    } catch (error) {
      await client.query('ROLLBACK')
      throw error
    } finally {
      client.release()
    }
  }

  /** Stock, ledger sum and orders of a variant: what every round must leave consistent. */
  const audit = async (variantId: string) => {
    const { rows } = await db.rawQuery(
      `SELECT v.stock,
              (SELECT coalesce(sum(quantity), 0) FROM "${schema}".estore_stock_movements m WHERE m.variant_id = v.id)::int AS ledger,
              (SELECT count(DISTINCT order_id) FROM "${schema}".estore_order_items i WHERE i.variant_id = v.id)::int AS orders
         FROM "${schema}".estore_variants v WHERE v.id = ?`,
      [variantId]
    )
    return rows[0] as { stock: number; ledger: number; orders: number }
  }

  type Variant = { label: string; run: (index: number) => () => Promise<boolean> }
  const variants: Variant[] = [
    { label: 'Service (checkout())', run: viaService },
    { label: 'Hand-written SQL (pg)', run: viaSql },
  ]
  const lastItems = new Map<string, number[]>(variants.map((v) => [v.label, []]))
  const ample = new Map<string, number[]>(variants.map((v) => [v.label, []]))

  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 ? [...variants].reverse() : variants) {
      // Last items: 100 at once against 10.
      const scarce = await newVariant(LAST_STOCK)
      const shoppers = userIds.slice(0, SHOPPERS)
      await fillCarts(shoppers, [scarce])
      const started = performance.now()
      const results = await Promise.all(shoppers.map((_: string, i: number) => variant.run(i)()))
      lastItems.get(variant.label)!.push(performance.now() - started)
      const won = results.filter(Boolean).length
      const after = await audit(scarce)
      if (
        won !== LAST_STOCK ||
        after.stock !== 0 ||
        after.ledger !== 0 ||
        after.orders !== LAST_STOCK
      ) {
        throw new Error(
          `${variant.label}: ${won} checkouts won, ${JSON.stringify(after)}; expected ${LAST_STOCK} orders, stock 0`
        )
      }
      await sql(`DELETE FROM estore_cart_items`)

      // Ample stock: two-line carts, 8 in flight.
      const plenty = [await newVariant(1_000_000), await newVariant(1_000_000)]
      const buyers = userIds.slice(0, CHECKOUTS)
      await fillCarts(buyers, plenty)
      const begun = performance.now()
      const done = await pool(
        buyers.map((_: string, i: number) => variant.run(i)),
        IN_FLIGHT
      )
      const seconds = (performance.now() - begun) / 1000
      if (done.some((ok) => !ok))
        throw new Error(`${variant.label}: a checkout with ample stock failed`)
      for (const id of plenty) {
        const state = await audit(id)
        if (state.stock !== 1_000_000 - CHECKOUTS || state.ledger !== state.stock) {
          throw new Error(`${variant.label}: ledger and stock disagree ${JSON.stringify(state)}`)
        }
      }
      ample.get(variant.label)!.push(CHECKOUTS / seconds)
    }
  }

  const rows = variants.map((variant) => {
    const last = summarize(lastItems.get(variant.label)!)
    const rate = summarize(ample.get(variant.label)!)
    return [
      variant.label,
      `${LAST_STOCK}/${SHOPPERS} in every round`,
      fixed(last.p50, 0),
      fixed(last.p95, 0),
      fixed(rate.p50, 0),
      fixed(rate.mean, 0),
    ]
  })
  printTable(
    `Store checkout: ${SHOPPERS} concurrent checkouts of stock ${LAST_STOCK}, and ${CHECKOUTS} two-line checkouts with ample stock (${IN_FLIGHT} in flight), ${ROUNDS} rounds, durable PostgreSQL, pool ${POOL}`,
    [
      'variant',
      'orders won (last items)',
      'last items p50 ms',
      'p95 ms',
      'ample checkouts/s p50',
      'mean',
    ],
    rows
  )
  console.log(`Load average (1/5/15 min) at the end: ${loadAverage()}`)
} finally {
  await bare?.end()
  await oryne.stop()
}
