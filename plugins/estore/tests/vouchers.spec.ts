import { test } from '@japa/runner'
import { errorCode, ok, refused, sharedSchool, type School } from '@oryne/sdk/testing'

/*
 * Vouchers through HTTP: Staff create codes, customers type them at checkout.
 * A percentage or a fixed amount comes off the net subtotal before tax, within
 * the voucher's dates and limits; its use is counted with the order (and
 * given back when the order is cancelled); refunds never exceed the
 * discounted total.
 */

const BUYERS = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8'] as const
type Who = 'head' | 'staff' | 'student' | 'student2' | 'teacher' | (typeof BUYERS)[number]
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'
type Store = School<Who> & { variants: Record<string, string> }

const shop = (store: School<Who>, who: Who) => (method: Method, path: string) =>
  store.as(who)[method](`/estore${path}`)

/**
 * Two products: a taxed polo shirt (2000 net, 5 %) and an untaxed mug (999),
 * with plenty of stock; `student` has an ERP account to charge.
 */
async function prepareCatalogue(school: School<Who>) {
  const erp = (path: string, body: object) =>
    ok(school.as('head').post(`/erp${path}`).json(body), 201)
  const grade = await erp('/classes', { name: 'Grade 7', grade_level: 7 })
  await erp('/students', {
    enrollment_no: 'V-001',
    first_name: 'Val',
    last_name: 'Voucher',
    class_id: grade.id,
    user_id: school.people.student.id,
  })
  const staff = shop(school, 'staff')
  const variants: Record<string, string> = {}
  for (const [name, sku, price, tax] of [
    ['Polo shirt', 'POLO', 2000, 500],
    ['Mug', 'MUG', 999, 0],
  ] as const) {
    const product = await ok(
      staff('post', '/products').json({ name, status: 'active', tax_rate_bp: tax }),
      201
    )
    const variant = await ok(
      staff('post', '/variants').json({ product_id: product.id, sku, price }),
      201
    )
    await ok(staff('post', `/variants/${variant.id}/stock`).json({ quantity: 500 }))
    variants[sku] = variant.id
  }
  return { variants }
}

const storeFor = sharedSchool(
  {
    plugins: ['estore'],
    people: {
      head: 'TenantAdmin',
      staff: 'Staff',
      student: 'Student',
      student2: 'Student',
      teacher: 'Teacher',
      ...Object.fromEntries(BUYERS.map((buyer) => [buyer, 'Student'])),
    } as Record<Who, string>,
  },
  prepareCatalogue
)

let sequence = 0
/** A voucher made by Staff, with a code of its own for each test. */
async function voucher(store: Store, fields: Record<string, unknown>) {
  const code = `code-${++sequence}-${Date.now().toString(36)}`
  return ok(shop(store, 'staff')('post', '/vouchers').json({ code, ...fields }), 201)
}

/** Fills `who`'s cart (SKU -> quantity) and checks out with `body`; answers the raw response. */
async function checkout(store: Store, who: Who, cart: Record<string, number>, body: object) {
  const as = shop(store, who)
  await ok(as('delete', '/cart'))
  for (const [sku, quantity] of Object.entries(cart))
    await ok(as('put', '/cart/items').json({ variant_id: store.variants[sku], quantity }))
  return as('post', '/checkout').json(body)
}

async function usesOf(store: Store, id: string) {
  return (await ok(shop(store, 'staff')('get', `/vouchers/${id}`))).uses
}

function refusal(response: { status(): number; body(): any }) {
  return {
    status: response.status(),
    code: errorCode(response as any),
    reason: response.body().error?.details?.reason,
  }
}

test.group('E-store vouchers', () => {
  test('Staff manage vouchers; codes are stored upper case and checked; customers cannot list them', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const staff = shop(store, 'staff')
    const created = await voucher(store, { kind: 'percentage', value: 10 })
    assert.match(created.code, /^CODE-\d+-/)
    assert.equal(created.uses, 0)

    const again = await staff('post', '/vouchers').json({
      code: created.code.toLowerCase(),
      kind: 'fixed',
      value: 100,
    })
    assert.equal(again.status(), 409)
    const percent = await staff('post', '/vouchers').json({
      code: 'BIG',
      kind: 'percentage',
      value: 150,
    })
    assert.equal(percent.status(), 400)
    assert.equal(percent.body().error.details[0].field, 'value')
    const backwards = await staff('post', '/vouchers').json({
      code: 'BACKWARDS',
      kind: 'fixed',
      value: 100,
      starts_at: '2030-01-02T00:00:00Z',
      ends_at: '2030-01-01T00:00:00Z',
    })
    assert.equal(backwards.status(), 400)
    assert.equal(backwards.body().error.details[0].field, 'ends_at')
    const widened = await staff('patch', `/vouchers/${created.id}`).json({ value: 101 })
    assert.equal(widened.status(), 400)

    await refused(shop(store, 'student')('get', '/vouchers'), 403, 'ERR_FORBIDDEN')
    await refused(
      shop(store, 'student')('post', '/vouchers').json({ code: 'MINE', kind: 'fixed', value: 1 }),
      403,
      'ERR_FORBIDDEN'
    )
  })

  test('a percentage comes off the net subtotal before tax, shared among the lines to the minor unit', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const tenPercent = await voucher(store, { kind: 'percentage', value: 10 })
    const order = await ok(
      checkout(
        store,
        'student',
        { POLO: 2, MUG: 1 },
        { voucher_code: tenPercent.code.toLowerCase() }
      ),
      201
    )
    // Net 4000 + 999 = 4999; 10 % = 499 (rounded down), shared 399 (polo) + 100 (mug) by
    // largest remainder; tax 5 % of the polo's 3601 = 180.
    assert.include(order, {
      subtotal: 4999,
      discount: 499,
      tax: 180,
      total: 4680,
      voucher_id: tenPercent.id,
      status: 'placed',
    })
    const lines = Object.fromEntries(
      order.items.map((item: any) => [item.sku, [item.discount, item.tax, item.total]])
    )
    assert.deepEqual(lines, { POLO: [399, 180, 3781], MUG: [100, 0, 899] })
    assert.equal(await usesOf(store, tenPercent.id), 1)

    const mine = await ok(shop(store, 'student')('get', '/voucher_redemptions'))
    assert.deepEqual(
      mine.map((r: any) => [r.order_id, r.discount, r.released_at]),
      [[order.id, 499, null]]
    )
    // Nobody else sees the buyer's redemption.
    assert.deepEqual(await ok(shop(store, 'student2')('get', '/voucher_redemptions')), [])
  })

  test('codes outside their dates, unknown, inactive or below their minimum are refused and change nothing', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const day = 86_400_000
    const future = await voucher(store, {
      kind: 'fixed',
      value: 500,
      starts_at: new Date(Date.now() + day).toISOString(),
    })
    const past = await voucher(store, {
      kind: 'fixed',
      value: 500,
      ends_at: new Date(Date.now() - day).toISOString(),
    })
    const inactive = await voucher(store, { kind: 'fixed', value: 500, active: false })
    const minimum = await voucher(store, { kind: 'fixed', value: 1500, min_subtotal: 3000 })

    const cases: Array<[string, Record<string, number>, string]> = [
      [future.code, { MUG: 1 }, 'not_started'],
      [past.code, { MUG: 1 }, 'expired'],
      [inactive.code, { MUG: 1 }, 'unknown'],
      ['NO-SUCH-CODE', { MUG: 1 }, 'unknown'],
      [minimum.code, { MUG: 2 }, 'below_minimum'],
    ]
    for (const [code, cart, reason] of cases) {
      const response = await checkout(store, 'student2', cart, { voucher_code: code })
      assert.deepEqual(
        refusal(response),
        { status: 422, code: 'ERR_ESTORE_VOUCHER_NOT_APPLICABLE', reason },
        code
      )
    }
    // The cart is still there, no stock was reserved and no use counted.
    const cart = await ok(shop(store, 'student2')('get', '/cart'))
    assert.lengthOf(cart.items, 1)
    assert.equal(await usesOf(store, minimum.id), 0)

    // Fixed: the amount comes off once the minimum is met.
    const order = await ok(
      checkout(store, 'student2', { POLO: 1, MUG: 2 }, { voucher_code: minimum.code }),
      201
    )
    assert.include(order, { subtotal: 3998, discount: 1500 })
    assert.equal(order.total, order.subtotal - order.discount + order.tax)
  })

  test('limits per code and per buyer hold; a cancelled order gives its use back', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const limited = await voucher(store, {
      kind: 'fixed',
      value: 100,
      max_uses: 2,
      max_uses_per_buyer: 1,
    })
    const use = (who: Who) => checkout(store, who, { MUG: 1 }, { voucher_code: limited.code })

    // A retried checkout (same Idempotency-Key) answers the same order and counts one use.
    const as = shop(store, 'student')
    await ok(as('put', '/cart/items').json({ variant_id: store.variants.MUG, quantity: 1 }))
    const retry = () =>
      as('post', '/checkout')
        .header('idempotency-key', `voucher-${limited.code}`)
        .json({ voucher_code: limited.code })
    const first = await ok(retry(), 201)
    assert.equal((await ok(retry(), 201)).id, first.id)
    assert.equal(await usesOf(store, limited.id), 1)
    assert.equal(refusal(await use('student')).reason, 'buyer_limit')
    await ok(use('student2'), 201)
    assert.equal(refusal(await use('teacher')).reason, 'used_up')
    assert.equal(await usesOf(store, limited.id), 2)

    await ok(shop(store, 'student')('post', `/orders/${first.id}/cancel`).json({}))
    assert.equal(await usesOf(store, limited.id), 1)
    const redemptions = await ok(shop(store, 'staff')('get', '/voucher_redemptions'))
    const released = redemptions.find((r: any) => r.order_id === first.id)
    assert.isNotNull(released.released_at)
    // The use came back: to the code, and to the buyer.
    await ok(use('student'), 201)
    assert.equal(await usesOf(store, limited.id), 2)
  })

  test('concurrent checkouts never use a code more often than it allows', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const scarce = await voucher(store, { kind: 'percentage', value: 50, max_uses: 3 })
    for (const buyer of BUYERS) {
      const as = shop(store, buyer)
      await ok(as('delete', '/cart'))
      await ok(as('put', '/cart/items').json({ variant_id: store.variants.MUG, quantity: 1 }))
    }
    const responses = await Promise.all(
      BUYERS.map((buyer) =>
        shop(store, buyer)('post', '/checkout').json({ voucher_code: scarce.code })
      )
    )
    const statuses = responses.map((response) => response.status()).sort()
    assert.deepEqual(statuses, [201, 201, 201, 422, 422, 422, 422, 422])
    for (const response of responses.filter((r) => r.status() === 422))
      assert.equal(refusal(response).reason, 'used_up')
    assert.equal(await usesOf(store, scarce.id), 3)
    // Those refused kept their carts and their stock: checking out without the code works.
    const refusedBuyer = BUYERS[responses.findIndex((response) => response.status() === 422)]
    const cart = await ok(shop(store, refusedBuyer)('get', '/cart'))
    assert.lengthOf(cart.items, 1)
    await ok(shop(store, refusedBuyer)('post', '/checkout').json({}), 201)
  })

  test('refunds give back at most the discounted total; a voucher that covers everything pays the order', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const staff = shop(store, 'staff')
    const fixed = await voucher(store, { kind: 'fixed', value: 999 })
    const order = await ok(
      checkout(store, 'teacher', { POLO: 1, MUG: 1 }, { voucher_code: fixed.code }),
      201
    )
    // Net 2999 - 999 = 2000; tax on the polo's share of it.
    assert.equal(order.total, order.subtotal - order.discount + order.tax)
    await ok(staff('post', `/orders/${order.id}/confirm-payment`).json({}))
    const over = await staff('post', `/orders/${order.id}/refunds`).json({
      amount: order.total + 1,
    })
    assert.equal(errorCode(over as any), 'ERR_ESTORE_OVER_REFUND')
    const refunded = await ok(
      staff('post', `/orders/${order.id}/refunds`).json({ amount: order.total }),
      201
    )
    assert.include(refunded.order, { status: 'refunded', refunded: order.total })
    // A refund does not give the use back: the order was bought.
    assert.equal(await usesOf(store, fixed.id), 1)

    // Charged to the ERP account: the invoice lists the discounted lines, a refund credits at most them.
    const account = await ok(
      checkout(
        store,
        'student',
        { POLO: 1, MUG: 1 },
        { payment_method: 'account', voucher_code: fixed.code }
      ),
      201
    )
    assert.include(account, { status: 'paid', discount: 999, total: order.total })
    const invoice = await ok(store.as('head').get(`/erp/invoices/${account.invoice_id}`))
    assert.equal(Number(invoice.amount), account.total)
    const overCredit = await staff('post', `/orders/${account.id}/refunds`).json({
      amount: account.total + 1,
    })
    assert.equal(errorCode(overCredit as any), 'ERR_ESTORE_OVER_REFUND')
    await ok(staff('post', `/orders/${account.id}/refunds`).json({ amount: 500 }), 201)
    const credited = await ok(store.as('head').get(`/erp/invoices/${account.invoice_id}`))
    assert.equal(Number(credited.amount), account.total - 500)

    const everything = await voucher(store, { kind: 'percentage', value: 100 })
    const free = await ok(
      checkout(store, 'teacher', { MUG: 2 }, { voucher_code: everything.code }),
      201
    )
    assert.include(free, { subtotal: 1998, discount: 1998, tax: 0, total: 0, status: 'paid' })
    assert.deepEqual(
      free.payments.map((p: any) => [p.status, p.amount]),
      [['succeeded', 0]]
    )
  })
})
