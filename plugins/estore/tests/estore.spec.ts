import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type { OryneEvent } from '@oryne/sdk'
import {
  errorCode,
  eventually,
  ok,
  PaymentGateway,
  recordEvents,
  type School,
  sharedSchool,
} from '@oryne/sdk/testing'
import { releaseReservationsJob } from '../jobs/release_reservations.js'

/*
 * The e-store end to end through HTTP, each step as the role that performs
 * it: Staff run the catalogue and the orders, Students, Parents and Teachers
 * shop, a TenantAdmin configures the card gateway. The gateway is a real HTTP
 * server (`PaymentGateway` of @oryne/sdk/testing) that opens checkout sessions and
 * sends signed webhooks to the running server.
 */

type Who = 'head' | 'staff' | 'student' | 'student2' | 'parent' | 'teacher'
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

type Setup = {
  gateway: PaymentGateway
  grade9: string
  s1: string
  s2: string
  /** Product and variant ids by name / SKU. */
  products: Record<string, string>
  variants: Record<string, string>
  events: OryneEvent[]
}
type Store = School<Who> & Setup

function call(store: School<Who>, who: Who | null, method: Method, path: string) {
  return store.as(who ?? 'anonymous')[method](path)
}

/** Requests to /api/v1/estore<path> as `who`. */
function shop(store: School<Who>, who: Who | null) {
  return (method: Method, path: string) => call(store, who, method, `/estore${path}`)
}

/** Reads the tenant's tables (for invariants the API does not expose in one call). */
function inTenant(store: Store, fn: (trx: any) => Promise<any>): Promise<any> {
  return store.db(fn)
}

/** The ERP's classes, students and guardian, the card gateway, and a small catalogue. */
async function prepareStore(school: School<Who>): Promise<Setup> {
  const events = recordEvents('estore.', school.tenant)
  const gateway = new PaymentGateway()
  const partial = school
  const erp = (path: string, body: object) =>
    ok(call(partial, 'head', 'post', `/erp${path}`).json(body), 201)

  const grade9 = await erp('/classes', { name: 'Grade 9', grade_level: 9 })
  const grade10 = await erp('/classes', { name: 'Grade 10', grade_level: 10 })
  const student = (no: string, classId: string, userId: string) =>
    erp('/students', {
      enrollment_no: no,
      first_name: 'Pupil',
      last_name: no,
      class_id: classId,
      user_id: userId,
    })
  const s1 = await student('E-001', grade9.id, school.people.student.id)
  const s2 = await student('E-002', grade10.id, school.people.student2.id)
  await erp('/guardians', {
    student_id: s1.id,
    user_id: school.people.parent.id,
    name: 'Pat Parent',
  })

  await gateway.start()
  gateway.sendWebhooksTo(
    `http://${process.env.HOST}:${process.env.PORT}/api/v1/estore/webhooks/card`,
    { 'x-tenant-id': school.tenant.slug }
  )
  await ok(
    call(partial, 'head', 'patch', '/admin/plugins/estore/settings').json({
      card_api_url: gateway.url,
      card_api_key: gateway.apiKey,
      card_webhook_secret: gateway.webhookSecret,
    })
  )

  const staff = shop(partial, 'staff')
  const uniforms = await ok(staff('post', '/categories').json({ name: 'Uniforms' }), 201)
  const product = (body: object) =>
    ok(
      staff('post', '/products').json({ category_id: uniforms.id, status: 'active', ...body }),
      201
    )
  const polo = await product({ name: 'Polo shirt', tax_rate_bp: 500 })
  const workbook = await product({
    name: 'Workbook 9',
    audience: 'classes',
    audience_class_ids: [Number(grade9.id)],
  })
  const planner = await product({ name: 'Planner', audience: 'roles', audience_roles: ['Teacher'] })
  const draft = await product({ name: 'Hoodie (coming soon)', status: 'draft' })
  const variants: Record<string, string> = {}
  const variant = async (
    productId: string,
    sku: string,
    price: number,
    stock: number,
    extra = {}
  ) => {
    const created = await ok(
      staff('post', '/variants').json({ product_id: productId, sku, price, ...extra }),
      201
    )
    variants[sku] = created.id
    if (stock) await ok(staff('post', `/variants/${created.id}/stock`).json({ quantity: stock }))
  }
  await variant(polo.id, 'POLO-M', 1000, 50, { size: 'M', colour: 'Navy' })
  await variant(polo.id, 'POLO-L', 1000, 3, { size: 'L', colour: 'Navy', low_stock_threshold: 2 })
  await variant(workbook.id, 'WB-9', 1500, 20)
  await variant(planner.id, 'PLANNER', 800, 10)
  await variant(draft.id, 'HOODIE-M', 3000, 10)
  const setup: Setup = {
    gateway,
    events,
    grade9: grade9.id,
    s1: s1.id,
    s2: s2.id,
    products: { polo: polo.id, workbook: workbook.id, planner: planner.id, draft: draft.id },
    variants,
  }
  return setup
}

const openStore = sharedSchool(
  {
    plugins: ['estore'],
    people: {
      head: 'TenantAdmin',
      staff: 'Staff',
      student: 'Student',
      student2: 'Student',
      parent: 'Parent',
      teacher: 'Teacher',
    },
  },
  prepareStore
)
let opened: Promise<Store> | undefined
/** The shared store; kept here too, so that the gateway's group can stop it. */
function storeFor(client: ApiClient) {
  opened ??= openStore(client)
  return opened
}

/** Puts `quantity` of a variant in `who`'s cart and checks out; returns the order. */
async function buy(store: Store, who: Who, sku: string, quantity: number, body: object = {}) {
  const as = shop(store, who)
  await ok(as('put', '/cart/items').json({ variant_id: store.variants[sku], quantity }))
  return ok(as('post', '/checkout').json(body), 201)
}

/** The first event of the store matching `matches`, waiting for its delivery (events leave after the commit). */
function eventOf(store: Store, matches: (event: OryneEvent) => boolean) {
  const found = () => store.events.find(matches)
  return eventually(found, { until: (event) => event !== undefined }).catch(found)
}

async function stockOf(store: Store, sku: string) {
  return ok(shop(store, 'staff')('get', `/variants/${store.variants[sku]}/stock-balance`))
}

async function orderCount(store: Store) {
  const row = await inTenant(store, (trx) => trx.from('estore_orders').count('* as n').first())
  return Number(row.n)
}

test.group('E-store: catalogue and visibility', () => {
  test('customers see the active products offered to them; staff see all', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const names = async (who: Who) =>
      (await ok(shop(store, who)('get', '/products?per_page=100'))).map((p: any) => p.name).sort()
    assert.deepEqual(await names('student'), ['Polo shirt', 'Workbook 9'])
    assert.deepEqual(await names('student2'), ['Polo shirt'])
    assert.deepEqual(await names('parent'), ['Polo shirt', 'Workbook 9'])
    assert.deepEqual(await names('teacher'), ['Planner', 'Polo shirt'])
    assert.lengthOf(await names('staff'), 4)

    const hidden = await shop(store, 'student2')('get', `/products/${store.products.workbook}`)
    hidden.assertStatus(404)
    const variants = await ok(shop(store, 'student2')('get', '/variants?per_page=100'))
    assert.sameMembers(
      variants.map((v: any) => v.sku),
      ['POLO-M', 'POLO-L']
    )
  })

  test('only staff manage the catalogue; stock changes only through the ledger', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const student = shop(store, 'student')
    const denied = await student('post', '/products').json({ name: 'Contraband' })
    denied.assertStatus(403)
    const adjust = await student('post', `/variants/${store.variants['POLO-M']}/stock`).json({
      quantity: 5,
    })
    adjust.assertStatus(403)
    const ledger = await student('get', '/stock_movements')
    ledger.assertStatus(403)

    // stock is read-only on the resource: the engine refuses or ignores it.
    const staff = shop(store, 'staff')
    const before = await stockOf(store, 'POLO-M')
    const patched = await staff('patch', `/variants/${store.variants['POLO-M']}`).json({
      stock: 999,
    })
    assert.oneOf(patched.status(), [200, 400])
    const after = await stockOf(store, 'POLO-M')
    assert.equal(after.stock, before.stock)
    assert.equal(after.stock, after.ledger_total)

    const bad = await staff('post', '/products').json({
      name: 'Bad audience',
      audience: 'classes',
      audience_class_ids: ['not-an-id'],
    })
    bad.assertStatus(400)
    assert.equal(errorCode(bad), 'ERR_VALIDATION')
    const zero = await staff('post', `/variants/${store.variants['POLO-M']}/stock`).json({
      quantity: 0,
    })
    zero.assertStatus(400)
    const writeOff = await staff('post', `/variants/${store.variants['POLO-L']}/stock`).json({
      quantity: -99,
    })
    writeOff.assertStatus(409)
    assert.equal(errorCode(writeOff), 'ERR_ESTORE_OUT_OF_STOCK')
  })
})

test.group('E-store: cart, checkout and the order lifecycle', () => {
  test('a student checks out (offline); staff confirm payment and fulfil; receipt and events follow', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const student = shop(store, 'student')
    const before = await stockOf(store, 'POLO-M')
    await ok(
      student('put', '/cart/items').json({ variant_id: store.variants['POLO-M'], quantity: 2 })
    )
    const cart = await ok(student('get', '/cart'))
    assert.equal(cart.subtotal, 2000)
    assert.equal(cart.tax, 100)
    assert.equal(cart.total, 2100)

    const order = await ok(student('post', '/checkout').json({}), 201)
    assert.equal(order.status, 'placed')
    assert.equal(order.payment_method, 'offline')
    assert.equal(order.total, 2100)
    assert.lengthOf(order.items, 1)
    assert.isNotNull(order.reserved_until)
    assert.equal((await stockOf(store, 'POLO-M')).stock, before.stock - 2)
    assert.deepEqual((await ok(student('get', '/cart'))).items, [])

    const again = await student('post', '/checkout').json({})
    again.assertStatus(409)
    assert.equal(errorCode(again), 'ERR_ESTORE_CART_EMPTY')

    // Other customers do not see it; the student cannot confirm their own payment.
    const foreign = await shop(store, 'student2')('get', `/orders/${order.id}`)
    foreign.assertStatus(404)
    const own = await ok(student('get', '/orders'))
    assert.isTrue(own.every((o: any) => o.user_id === store.people.student.id))
    const self = await student('post', `/orders/${order.id}/confirm-payment`).json({})
    self.assertStatus(403)

    const staff = shop(store, 'staff')
    const paid = await ok(
      staff('post', `/orders/${order.id}/confirm-payment`).json({ reference: 'CASH-1' })
    )
    assert.equal(paid.status, 'paid')
    assert.match(paid.receipt_no, /^RCPT-\d{6}$/)
    assert.equal(paid.payments[0].status, 'succeeded')
    const twice = await staff('post', `/orders/${order.id}/confirm-payment`).json({})
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_ESTORE_ORDER_NOT_PAYABLE')

    const fulfilled = await ok(staff('post', `/orders/${order.id}/fulfil`))
    assert.equal(fulfilled.status, 'fulfilled')
    const back = await staff('post', `/orders/${order.id}/cancel`).json({})
    back.assertStatus(409)
    assert.equal(errorCode(back), 'ERR_ESTORE_INVALID_TRANSITION')

    const paidEvent = await eventOf(
      store,
      (e) => e.name === 'estore.order.paid' && e.payload.order_id === order.id
    )
    assert.exists(paidEvent)
    assert.equal(paidEvent!.payload.user_id, store.people.student.id)
    assert.deepEqual(paidEvent!.payload.items, [
      { product_id: store.products.polo, variant_id: store.variants['POLO-M'], quantity: 2 },
    ])
    assert.exists(
      await eventOf(
        store,
        (e) => e.name === 'estore.order.placed' && e.payload.order_id === order.id
      )
    )
  })

  test('receipts are numbered per tenant without gaps', async ({ client, assert }) => {
    const store = await storeFor(client)
    const staff = shop(store, 'staff')
    const receipts: string[] = []
    for (let i = 0; i < 3; i++) {
      const order = await buy(store, 'student2', 'POLO-M', 1)
      receipts.push(
        (await ok(staff('post', `/orders/${order.id}/confirm-payment`).json({}))).receipt_no
      )
    }
    const numbers = receipts.map((r) => Number(r.slice(5)))
    assert.deepEqual(numbers, [numbers[0], numbers[0] + 1, numbers[0] + 2])
    const all = await inTenant(store, (trx) =>
      trx
        .from('estore_orders')
        .whereNotNull('receipt_no')
        .orderBy('receipt_no')
        .select('receipt_no')
    )
    all.forEach((row: any, i: number) =>
      assert.equal(row.receipt_no, `RCPT-${String(i + 1).padStart(6, '0')}`)
    )
  })

  test('bad input is a 4xx with a stable code and writes nothing', async ({ client, assert }) => {
    const store = await storeFor(client)
    const student2 = shop(store, 'student2')
    const notOffered = await student2('put', '/cart/items').json({
      variant_id: store.variants['WB-9'],
      quantity: 1,
    })
    notOffered.assertStatus(409)
    assert.equal(errorCode(notOffered), 'ERR_ESTORE_NOT_AVAILABLE')
    const draft = await student2('put', '/cart/items').json({
      variant_id: store.variants['HOODIE-M'],
      quantity: 1,
    })
    draft.assertStatus(409)
    for (const body of [
      { variant_id: store.variants['POLO-M'], quantity: -1 },
      { variant_id: 'abc', quantity: 1 },
      { variant_id: store.variants['POLO-M'], quantity: 1.5 },
      { variant_id: store.variants['POLO-M'] },
    ]) {
      const response = await student2('put', '/cart/items').json(body)
      response.assertStatus(400)
      assert.equal(errorCode(response), 'ERR_VALIDATION')
    }
    const missing = await student2('put', '/cart/items').json({ variant_id: '999999', quantity: 1 })
    missing.assertStatus(404)

    const orders = await orderCount(store)
    const polo = await stockOf(store, 'POLO-M')
    const poloL = await stockOf(store, 'POLO-L')
    await ok(
      student2('put', '/cart/items').json({ variant_id: store.variants['POLO-M'], quantity: 1 })
    )
    await ok(
      student2('put', '/cart/items').json({ variant_id: store.variants['POLO-L'], quantity: 50 })
    )
    const method = await student2('post', '/checkout').json({ payment_method: 'bitcoin' })
    method.assertStatus(400)
    const key = await student2('post', '/checkout')
      .header('idempotency-key', 'k'.repeat(300))
      .json({})
    key.assertStatus(400)
    // One line cannot be reserved: nothing of the other line is reserved either.
    const short = await student2('post', '/checkout').json({})
    short.assertStatus(409)
    assert.equal(errorCode(short), 'ERR_ESTORE_OUT_OF_STOCK')
    assert.equal(await orderCount(store), orders)
    assert.equal((await stockOf(store, 'POLO-M')).stock, polo.stock)
    assert.equal((await stockOf(store, 'POLO-L')).movements, poloL.movements)
    assert.lengthOf((await ok(student2('get', '/cart'))).items, 2)
    await ok(student2('delete', '/cart'))

    const anonymous = await shop(store, null)('get', '/cart')
    anonymous.assertStatus(401)
  })

  test('an Idempotency-Key makes a retried checkout answer the same order', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const student = shop(store, 'student')
    await ok(
      student('put', '/cart/items').json({ variant_id: store.variants['POLO-M'], quantity: 1 })
    )
    const orders = await orderCount(store)
    const first = await student('post', '/checkout').header('idempotency-key', 'chk-1').json({})
    first.assertStatus(201)
    const retry = await student('post', '/checkout').header('idempotency-key', 'chk-1').json({})
    retry.assertStatus(201)
    assert.equal(retry.header('idempotent-replayed'), 'true')
    assert.equal(retry.body().data.id, first.body().data.id)
    assert.equal(await orderCount(store), orders + 1)
    const other = await student('post', '/checkout')
      .header('idempotency-key', 'chk-1')
      .json({ payment_method: 'card' })
    other.assertStatus(422)
    assert.equal(errorCode(other), 'ERR_ESTORE_IDEMPOTENCY_MISMATCH')
  })

  test('customers cancel their own placed orders; expired reservations go back to stock by the scheduled job', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const before = await stockOf(store, 'POLO-M')
    const mine = await buy(store, 'student', 'POLO-M', 3)
    const foreign = await shop(store, 'student2')('post', `/orders/${mine.id}/cancel`).json({})
    foreign.assertStatus(404)
    const cancelled = await ok(
      shop(store, 'student')('post', `/orders/${mine.id}/cancel`).json({ reason: 'wrong size' })
    )
    assert.equal(cancelled.status, 'cancelled')
    assert.equal((await stockOf(store, 'POLO-M')).stock, before.stock)

    const stale = await buy(store, 'student', 'POLO-M', 4)
    const fresh = await buy(store, 'student', 'POLO-M', 1)
    await inTenant(store, (trx) =>
      trx
        .from('estore_orders')
        .where('id', stale.id)
        .update({ reserved_until: new Date(Date.now() - 1000) })
    )
    const result: any = await store.run(() =>
      releaseReservationsJob.handle({}, { tenantId: store.tenant.id } as any)
    )
    assert.include(result.order_ids, stale.id)
    assert.notInclude(result.order_ids, fresh.id)
    const staff = shop(store, 'staff')
    const released = await ok(staff('get', `/orders/${stale.id}`))
    assert.equal(released.status, 'cancelled')
    assert.equal(released.cancel_reason, 'reservation expired')
    const balance = await stockOf(store, 'POLO-M')
    assert.equal(balance.stock, before.stock - 1)
    assert.equal(balance.stock, balance.ledger_total)
    const movements = await ok(
      staff('get', `/stock_movements?filter[order_id][eq]=${stale.id}&sort=id`)
    )
    assert.deepEqual(
      movements.map((m: any) => [m.reason, m.quantity]),
      [
        ['reservation', -4],
        ['release', 4],
      ]
    )
    const late = await staff('post', `/orders/${stale.id}/confirm-payment`).json({})
    late.assertStatus(409)
    assert.equal(errorCode(late), 'ERR_ESTORE_ORDER_NOT_PAYABLE')
    assert.exists(
      await eventOf(
        store,
        (e) => e.name === 'estore.order.cancelled' && e.payload.order_id === stale.id
      )
    )
  })

  test('charging the ERP account pays at once through an ERP invoice', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const order = await buy(store, 'student', 'WB-9', 2, { payment_method: 'account' })
    assert.equal(order.status, 'paid')
    assert.equal(order.student_id, store.s1)
    assert.isNotNull(order.invoice_id)
    const invoice = await ok(call(store, 'head', 'get', `/erp/invoices/${order.invoice_id}`))
    assert.equal(invoice.source, 'estore')
    assert.equal(Number(invoice.amount), 3000)
    assert.equal(invoice.student_id, store.s1)

    const parent = shop(store, 'parent')
    await ok(
      parent('put', '/cart/items').json({ variant_id: store.variants['POLO-M'], quantity: 1 })
    )
    const stranger = await parent('post', '/checkout').json({
      payment_method: 'account',
      student_id: store.s2,
    })
    stranger.assertStatus(403)
    assert.equal(errorCode(stranger), 'ERR_ESTORE_NO_STUDENT_ACCOUNT')
    const child = await ok(
      parent('post', '/checkout').json({ payment_method: 'account', student_id: store.s1 }),
      201
    )
    assert.equal(child.status, 'paid')

    const staff = shop(store, 'staff')
    await ok(
      staff('put', '/cart/items').json({ variant_id: store.variants['POLO-M'], quantity: 1 })
    )
    const noAccount = await staff('post', '/checkout').json({ payment_method: 'account' })
    noAccount.assertStatus(403)
    await ok(staff('delete', '/cart'))
  })

  test('partial refunds keep the order paid until they reach its total', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const staff = shop(store, 'staff')
    const order = await buy(store, 'student2', 'POLO-M', 1)
    const early = await staff('post', `/orders/${order.id}/refunds`).json({ amount: 100 })
    early.assertStatus(409)
    await ok(staff('post', `/orders/${order.id}/confirm-payment`).json({}))
    const denied = await shop(store, 'student2')('post', `/orders/${order.id}/refunds`).json({
      amount: 100,
    })
    denied.assertStatus(403)
    const part = await ok(
      staff('post', `/orders/${order.id}/refunds`).json({ amount: 500, reason: 'stain' }),
      201
    )
    assert.equal(part.order.status, 'paid')
    assert.equal(part.order.refunded, 500)
    const over = await staff('post', `/orders/${order.id}/refunds`).json({ amount: 1000 })
    over.assertStatus(409)
    assert.equal(errorCode(over), 'ERR_ESTORE_OVER_REFUND')
    const rest = await ok(staff('post', `/orders/${order.id}/refunds`).json({ amount: 550 }), 201)
    assert.equal(rest.order.status, 'refunded')
    assert.equal(rest.order.refunded, 1050)
    await eventOf(
      store,
      (e) =>
        e.name === 'estore.order.refunded' &&
        e.payload.order_id === order.id &&
        e.payload.full === true
    )
    const refunded = store.events.filter(
      (e) => e.name === 'estore.order.refunded' && e.payload.order_id === order.id
    )
    assert.deepEqual(
      refunded.map((e) => [e.payload.amount, e.payload.full]),
      [
        [500, false],
        [550, true],
      ]
    )
  })

  test('refunding an account order credits its ERP invoice, once per Idempotency-Key', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const staff = shop(store, 'staff')
    const erpAs = (method: Method, path: string) => call(store, 'head', method, `/erp${path}`)
    const owed = (i: any) => i.amount - i.discount + i.fine - i.paid + i.refunded
    const order = await buy(store, 'student', 'WB-9', 2, { payment_method: 'account' })
    const invoice = () => ok(erpAs('get', `/invoices/${order.invoice_id}`))
    assert.deepEqual([(await invoice()).amount, (await invoice()).status], [3000, 'open'])
    const refund = (amount: number, key: string) =>
      staff('post', `/orders/${order.id}/refunds`)
        .header('idempotency-key', key)
        .json({ amount, reason: 'torn' })

    // A partial refund credits the invoice by as much; its retry credits nothing more.
    const part = await ok(refund(1000, 'acct-rf-1'), 201)
    assert.deepEqual([part.order.refunded, part.order.status], [1000, 'paid'])
    const retry = await refund(1000, 'acct-rf-1')
    retry.assertStatus(201)
    assert.equal(retry.header('idempotent-replayed'), 'true')
    const credited = await invoice()
    assert.deepEqual([credited.amount, owed(credited), credited.status], [2000, 2000, 'open'])
    const lines = await ok(erpAs('get', `/invoice_lines?filter[invoice_id]=${order.invoice_id}`))
    assert.deepEqual(
      lines.filter((line: any) => line.amount < 0).map((line: any) => line.description),
      [`Credit: refund of store order ${order.id} (torn)`]
    )
    // Only the store takes back what it billed.
    const foreign = await erpAs('post', `/invoices/${order.invoice_id}/credits`).json({
      amount: 100,
      reason: 'Goodwill',
    })
    foreign.assertStatus(409)
    assert.equal(errorCode(foreign), 'ERR_ERP_CREDIT_SOURCE')

    // Once the family has paid part of the invoice, only what is unpaid can be credited.
    await ok(
      erpAs('post', '/payments').json({
        invoice_id: order.invoice_id,
        amount: 1500,
        method: 'cash',
      }),
      201
    )
    const over = await refund(2000, 'acct-rf-2')
    over.assertStatus(409)
    assert.equal(errorCode(over), 'ERR_ERP_OVER_CREDIT')
    const unchanged = await ok(staff('get', `/orders/${order.id}`))
    assert.deepEqual([unchanged.refunded, unchanged.status], [1000, 'paid'])
    await ok(refund(500, 'acct-rf-3'), 201)
    const settled = await invoice()
    assert.deepEqual([settled.amount, owed(settled), settled.status], [1500, 0, 'paid'])

    // A full refund of an unpaid account order cancels its invoice.
    const whole = await buy(store, 'student', 'POLO-M', 1, { payment_method: 'account' })
    const full = await ok(
      staff('post', `/orders/${whole.id}/refunds`).json({ amount: Number(whole.total) }),
      201
    )
    assert.equal(full.order.status, 'refunded')
    const cancelled = await ok(erpAs('get', `/invoices/${whole.invoice_id}`))
    assert.deepEqual([cancelled.amount, cancelled.status], [0, 'cancelled'])
  })

  test('reports: sales by product and period, low stock with an alert to staff', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const staff = shop(store, 'staff')
    const today = new Date().toISOString().slice(0, 10)
    const report = await ok(staff('get', `/reports/sales?from=${today}&to=${today}&period=day`))
    const polo = report.rows.find((row: any) => row.product_id === store.products.polo)
    const paidPolo = await inTenant(store, (trx) =>
      trx
        .from('estore_order_items as i')
        .join('estore_orders as o', 'o.id', 'i.order_id')
        .whereNotNull('o.paid_at')
        .where('i.product_id', store.products.polo)
        .sum('i.quantity as units')
        .first()
    )
    assert.equal(polo.units, Number(paidPolo.units))
    assert.equal(polo.period, today)
    const denied = await shop(store, 'student')('get', `/reports/sales?from=${today}&to=${today}`)
    denied.assertStatus(403)
    const invalid = await staff('get', '/reports/sales?from=yesterday&to=today')
    invalid.assertStatus(400)

    // POLO-L: stock 3, threshold 2; selling 1 crosses the threshold.
    await buy(store, 'student2', 'POLO-L', 1)
    const low = await ok(staff('get', '/reports/low-stock'))
    assert.include(
      low.map((row: any) => row.sku),
      'POLO-L'
    )
    const alert = await eventOf(
      store,
      (e) => e.name === 'estore.stock.low' && e.payload.sku === 'POLO-L'
    )
    assert.exists(alert)
    assert.equal(alert!.payload.stock, 2)
    let inbox: any[] = []
    for (let i = 0; i < 20 && !inbox.length; i++) {
      inbox = await ok(call(store, 'staff', 'get', '/notifications'))
      if (!inbox.length) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.isTrue(inbox.some((n: any) => JSON.stringify(n).includes('POLO-L')))
  })
})

test.group('E-store: card gateway and signed webhooks', (group) => {
  group.teardown(async () => (await opened)?.gateway.stop())

  test('hosted checkout: one session per Idempotency-Key, paid by the signed webhook', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const student = shop(store, 'student')
    const order = await buy(store, 'student', 'POLO-M', 1, { payment_method: 'card' })
    assert.equal(order.status, 'placed')
    const created = store.gateway.requests.length
    const first = await student('post', `/orders/${order.id}/card-session`).header(
      'idempotency-key',
      'pay-1'
    )
    first.assertStatus(201)
    const retry = await student('post', `/orders/${order.id}/card-session`).header(
      'idempotency-key',
      'pay-1'
    )
    retry.assertStatus(201)
    assert.equal(retry.body().data.redirect_url, first.body().data.redirect_url)
    assert.equal(store.gateway.requests.length, created + 1)
    assert.equal(store.gateway.requests.at(-1)!.status, 200)
    // A press without a key, or two tabs at once, get the open session and its payment back.
    const tabs = await Promise.all([
      ok(student('post', `/orders/${order.id}/card-session`), 201),
      ok(student('post', `/orders/${order.id}/card-session`), 201),
    ])
    for (const tab of tabs) {
      assert.equal(tab.redirect_url, first.body().data.redirect_url)
      assert.equal(tab.payment_id, first.body().data.payment_id)
    }
    assert.equal(store.gateway.requests.length, created + 1)
    const url = first.body().data.redirect_url as string
    assert.isTrue(url.startsWith(`${store.gateway.url}/pay/cs_`))
    const sessionId = url.split('/').at(-1)!
    const foreign = await shop(store, 'student2')('post', `/orders/${order.id}/card-session`)
    foreign.assertStatus(404)

    const { event, delivery } = await store.gateway.pay(sessionId)
    assert.equal(delivery.status, 200)
    assert.equal(delivery.body.data.outcome, 'order_paid')
    const paid = await ok(student('get', `/orders/${order.id}`))
    assert.equal(paid.status, 'paid')
    assert.match(paid.receipt_no, /^RCPT-/)

    // The same event again (freshly signed): acknowledged, nothing changes.
    const replay = await store.gateway.deliver(event)
    assert.equal(replay.status, 200)
    assert.isTrue(replay.body.data.duplicate)
    const payments = await ok(
      shop(store, 'staff')('get', `/payments?filter[order_id][eq]=${order.id}`)
    )
    assert.deepEqual(
      payments.map((p: any) => p.status),
      ['succeeded']
    )
    assert.equal((await ok(student('get', `/orders/${order.id}`))).receipt_no, paid.receipt_no)
    await eventOf(store, (e) => e.name === 'estore.order.paid' && e.payload.order_id === order.id)
    assert.lengthOf(
      store.events.filter((e) => e.name === 'estore.order.paid' && e.payload.order_id === order.id),
      1
    )
    const again = await student('post', `/orders/${order.id}/card-session`)
    again.assertStatus(409)
    assert.equal(errorCode(again), 'ERR_ESTORE_ORDER_NOT_PAYABLE')

    // A card refund goes through the gateway.
    const refund = await ok(
      shop(store, 'staff')('post', `/orders/${order.id}/refunds`)
        .header('idempotency-key', 'rf-1')
        .json({ amount: 300 }),
      201
    )
    assert.match(refund.refund.external_id, /^re_/)
    assert.equal(store.gateway.sessions.get(sessionId)!.refunded, 300)
  })

  test('a session the gateway expired is not answered again: the next press opens a new one', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const student = shop(store, 'student')
    const order = await buy(store, 'student', 'POLO-M', 1, { payment_method: 'card' })
    const first = await ok(student('post', `/orders/${order.id}/card-session`), 201)
    const session = store.gateway.sessions.get(first.redirect_url.split('/').at(-1)!)!
    const expired = await store.gateway.deliver(
      store.gateway.event('checkout.session.expired', session)
    )
    assert.equal(expired.body.data.outcome, 'payment_failed')
    const second = await ok(student('post', `/orders/${order.id}/card-session`), 201)
    assert.notEqual(second.redirect_url, first.redirect_url)
    assert.notEqual(second.payment_id, first.payment_id)
    const { delivery } = await store.gateway.pay(second.redirect_url.split('/').at(-1)!)
    assert.equal(delivery.body.data.outcome, 'order_paid')
  })

  test('tampered, unsigned, wrongly keyed and stale webhooks are refused and change nothing', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const order = await buy(store, 'student', 'POLO-M', 1, { payment_method: 'card' })
    const session = await ok(
      shop(store, 'student')('post', `/orders/${order.id}/card-session`),
      201
    )
    const gatewaySession = store.gateway.sessions.get(session.redirect_url.split('/').at(-1))!
    const event = store.gateway.event('checkout.session.completed', gatewaySession)

    const tampered = await store.gateway.deliver(
      { ...event, id: `${event.id}-t` },
      { tamper: (raw) => raw.replace(`"amount":${gatewaySession.amount}`, '"amount":1') }
    )
    assert.equal(tampered.status, 400)
    assert.equal(tampered.body.error.code, 'ERR_ESTORE_WEBHOOK_SIGNATURE')
    const wrongKey = await store.gateway.deliver(event, { secret: 'whsec_wrong' })
    assert.equal(wrongKey.body.error.code, 'ERR_ESTORE_WEBHOOK_SIGNATURE')
    const unsigned = await store.gateway.deliver(event, { signature: null })
    assert.equal(unsigned.status, 400)
    assert.equal(unsigned.body.error.code, 'ERR_ESTORE_WEBHOOK_SIGNATURE')
    const stale = await store.gateway.deliver(event, {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    })
    assert.equal(stale.status, 400)
    assert.equal(stale.body.error.code, 'ERR_ESTORE_WEBHOOK_STALE')

    assert.equal((await ok(shop(store, 'staff')('get', `/orders/${order.id}`))).status, 'placed')
    const stored = await inTenant(store, (trx) =>
      trx.from('estore_webhook_events').whereIn('event_id', [event.id, `${event.id}-t`])
    )
    assert.lengthOf(stored, 0)

    // The genuine delivery still works afterwards.
    const genuine = await store.gateway.deliver(event)
    assert.equal(genuine.status, 200)
    assert.equal(genuine.body.data.outcome, 'order_paid')
  })

  test('the school’s card webhook pays an order too, and the e-store’s own endpoint then records nothing more', async ({
    client,
    assert,
  }) => {
    const store = await storeFor(client)
    const own = `http://${process.env.HOST}:${process.env.PORT}/api/v1/estore/webhooks/card`
    const school = `http://${process.env.HOST}:${process.env.PORT}/api/v1/payments/webhooks/card`
    await ok(
      call(store, 'head', 'put', '/admin/payments/card').json({
        api_url: store.gateway.url,
        api_key: store.gateway.apiKey,
        webhook_secret: store.gateway.webhookSecret,
      })
    )
    const order = await buy(store, 'student', 'POLO-M', 1, { payment_method: 'card' })
    const session = await ok(
      shop(store, 'student')('post', `/orders/${order.id}/card-session`),
      201
    )
    const sessionId = session.redirect_url.split('/').at(-1)
    store.gateway.sendWebhooksTo(school, { 'x-tenant-id': store.tenant.slug })
    try {
      const { event, delivery } = await store.gateway.pay(sessionId)
      assert.equal(delivery.status, 200)
      assert.equal(delivery.body.data.outcome, 'order_paid')
      const paid = await ok(shop(store, 'student')('get', `/orders/${order.id}`))
      assert.equal(paid.status, 'paid')

      store.gateway.sendWebhooksTo(own, { 'x-tenant-id': store.tenant.slug })
      const again = await store.gateway.deliver(event)
      assert.equal(again.status, 200)
      assert.equal(again.body.data.outcome, 'already_recorded')
      assert.equal(
        (await ok(shop(store, 'student')('get', `/orders/${order.id}`))).receipt_no,
        paid.receipt_no
      )
    } finally {
      store.gateway.sendWebhooksTo(own, { 'x-tenant-id': store.tenant.slug })
      await ok(call(store, 'head', 'delete', '/admin/payments/card'))
    }
  })
})
