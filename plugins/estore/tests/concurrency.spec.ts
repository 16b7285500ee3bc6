import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { openSchool, pool } from '@oryne/sdk/testing'

/*
 * Overselling is impossible: checkouts race for the last units through HTTP,
 * all at once, and PostgreSQL decides (a conditional UPDATE per variant).
 */

const SHOPPERS = 100
const STOCK = 10

async function storeWithStock(client: ApiClient, stock: number) {
  const school = await openSchool(client, { plugins: ['estore'], people: { staff: 'Staff' } })
  const staff = school.as('staff')
  const product = await staff.post('/estore/products', {
    name: 'Graduation hoodie',
    status: 'active',
  })
  product.assertStatus(201)
  const variant = await staff.post('/estore/variants', {
    product_id: product.body().data.id,
    sku: 'GRAD-HOODIE',
    price: 2500,
  })
  variant.assertStatus(201)
  const variantId = variant.body().data.id as string
  const stocked = await staff.post(`/estore/variants/${variantId}/stock`, { quantity: stock })
  stocked.assertStatus(200)
  return { school, staff, variantId }
}

test.group('E-store: concurrent checkouts', () => {
  test('100 concurrent checkouts of stock 10: exactly 10 orders, stock 0, the ledger balances', async ({
    client,
    assert,
  }) => {
    const { school, staff, variantId } = await storeWithStock(client, STOCK)
    const shoppers = await pool(
      Array.from({ length: SHOPPERS }, (_, i) => async () => {
        const shopper = await school.addPerson(`shopper${i}`, 'Student')
        const api = school.as(shopper)
        const carted = await api.put('/estore/cart/items', { variant_id: variantId, quantity: 1 })
        carted.assertStatus(200)
        return api
      }),
      8
    )

    const responses = await Promise.all(shoppers.map((api) => api.post('/estore/checkout', {})))
    const statuses = responses.map((response) => response.status())
    assert.equal(statuses.filter((status) => status === 201).length, STOCK)
    assert.equal(statuses.filter((status) => status === 409).length, SHOPPERS - STOCK)
    for (const response of responses.filter((r) => r.status() === 409)) {
      assert.equal(response.body().error.code, 'ERR_ESTORE_OUT_OF_STOCK')
    }

    const stockBalance = await staff.get(`/estore/variants/${variantId}/stock-balance`)
    const balance = stockBalance.body().data
    assert.deepEqual(
      { stock: balance.stock, ledger_total: balance.ledger_total, movements: balance.movements },
      { stock: 0, ledger_total: 0, movements: 1 + STOCK }
    )
    const orders = await school.db((trx) =>
      trx.from('estore_orders').select('user_id', 'status', 'total')
    )
    assert.lengthOf(orders, STOCK)
    assert.lengthOf(new Set(orders.map((o: any) => o.user_id)), STOCK)
    const units = await school.db((trx) =>
      trx.from('estore_order_items').where('variant_id', variantId).sum('quantity as n').first()
    )
    assert.equal(Number(units.n), STOCK)
    // The losers keep their carts: nothing of a failed checkout was written.
    const carts = await school.db((trx) => trx.from('estore_cart_items').count('* as n').first())
    assert.equal(Number(carts.n), SHOPPERS - STOCK)
  }).timeout(180_000)

  test('one cart checked out five times at once makes one order; one Idempotency-Key makes one order', async ({
    client,
    assert,
  }) => {
    const { school, variantId } = await storeWithStock(client, 50)
    const api = school.as(await school.addPerson('solo', 'Student'))
    const carted = await api.put('/estore/cart/items', { variant_id: variantId, quantity: 2 })
    carted.assertStatus(200)
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => api.post('/estore/checkout', {}))
    )
    assert.deepEqual(burst.map((r) => r.status()).sort(), [201, 409, 409, 409, 409])
    assert.isTrue(
      burst
        .filter((r) => r.status() === 409)
        .every((r) => r.body().error.code === 'ERR_ESTORE_CART_EMPTY')
    )

    const again = await api.put('/estore/cart/items', { variant_id: variantId, quantity: 1 })
    again.assertStatus(200)
    const keyed = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.post('/estore/checkout', {}).header('idempotency-key', 'same-key')
      )
    )
    assert.deepEqual(
      keyed.map((r) => r.status()),
      [201, 201, 201, 201, 201]
    )
    assert.lengthOf(new Set(keyed.map((r) => r.body().data.id)), 1)
    const orders = await school.db((trx) => trx.from('estore_orders').count('* as n').first())
    assert.equal(Number(orders.n), 2)
  }).timeout(60_000)
})
