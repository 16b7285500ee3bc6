import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { addDays, tenantToday, withTenantDb } from '@oryne/sdk'
import {
  created,
  errorCode,
  eventually,
  ok,
  openSchool,
  PaymentGateway,
  refused,
  type School,
} from '@oryne/sdk/testing'
import { createInvoice } from '../services/fees.js'

/*
 * Paying an invoice online (issue 25): a guardian (or the student) opens a
 * checkout session at the school's card gateway (a real HTTP server,
 * PaymentGateway of @oryne/sdk/testing), pays on its hosted page, and the
 * gateway's signed webhook (POST /api/v1/payments/webhooks/card) records the
 * ERP payment once; the invoice answers carry today's fine and balance.
 */

type Who = 'head' | 'bursar' | 'student' | 'parent' | 'otherParent'
type Family = School<Who> & { studentId: string }

const gateway = new PaymentGateway()
const WEBHOOK = `http://${process.env.HOST}:${process.env.PORT}/api/v1/payments/webhooks/card`

/** A school with one student, their guardian, and (unless `provider` is false) the gateway set. */
async function family(client: ApiClient, provider = true): Promise<Family> {
  const school = await openSchool(client, {
    plugins: ['erp'],
    people: {
      head: 'TenantAdmin',
      bursar: 'Staff',
      student: 'Student',
      parent: 'Parent',
      otherParent: 'Parent',
    },
  })
  const head = school.as('head')
  const grade = await created(head.post('/erp/classes').json({ name: 'Grade 4', grade_level: 4 }))
  const student = await created(
    head.post('/erp/students').json({
      enrollment_no: 'P-1',
      first_name: 'Pia',
      last_name: 'Payne',
      class_id: grade.id,
      user_id: school.people.student.id,
    })
  )
  await created(
    head.post('/erp/guardians').json({
      student_id: student.id,
      user_id: school.people.parent.id,
      name: 'Pat Payne',
    })
  )
  if (provider) {
    const set = await ok(
      head.put('/admin/payments/card').json({
        api_url: gateway.url,
        api_key: gateway.apiKey,
        webhook_secret: gateway.webhookSecret,
      })
    )
    check(set.api_key_set && !('api_key' in set), 'the API key is never answered back')
  }
  return Object.assign(school, { studentId: String(student.id) })
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

/** An invoice of the family's student through the fees service, as a fee schedule makes them. */
function invoice(
  school: Family,
  amount: number,
  options: { dueInDays?: number; finePerDay?: number; fineCap?: number } = {}
) {
  return school.run(() =>
    withTenantDb(async (trx) => {
      const today = tenantToday()
      const row = await createInvoice(trx, {
        student_id: school.studentId,
        issued_on: addDays(today, -30),
        due_on: addDays(today, options.dueInDays ?? 14),
        late_fine_per_day: options.finePerDay ?? 0,
        late_fine_cap: options.fineCap ?? 0,
        lines: [{ description: 'Term fees', amount }],
      })
      return String(row.id)
    })
  )
}

/** Sends the webhooks of the gateway to `school`'s tenant. */
function webhooksTo(school: School<Who>) {
  gateway.sendWebhooksTo(WEBHOOK, { 'x-tenant-id': school.tenant.slug })
}

const sessionOf = (url: string) => gateway.sessions.get(url.split('/').at(-1)!)!

test.group('ERP: paying an invoice online', (group) => {
  group.setup(async () => {
    await gateway.start()
  })
  group.teardown(async () => gateway.stop())

  test('a guardian pays: one session per key, the signed webhook pays the invoice once, the family is told', async ({
    client,
    assert,
  }) => {
    const school = await family(client)
    webhooksTo(school)
    const id = await invoice(school, 45_000)
    const parent = school.as('parent')

    const [listed] = await ok(parent.get(`/erp/fees/invoices?student_id=${school.studentId}`))
    assert.include(listed, { id, balance: 45_000, fine: 0, status: 'open', payable_online: true })

    const before = gateway.requests.length
    const first = await ok(
      parent.post(`/erp/invoices/${id}/pay-online`).header('idempotency-key', 'pay-1')
    )
    const retry = await ok(
      parent.post(`/erp/invoices/${id}/pay-online`).header('idempotency-key', 'pay-1')
    )
    assert.equal(retry.redirect_url, first.redirect_url)
    assert.equal(gateway.requests.length, before + 1)
    assert.equal(first.amount, 45_000)
    assert.isTrue(first.redirect_url.startsWith(`${gateway.url}/pay/cs_`))
    const session = sessionOf(first.redirect_url)
    assert.equal(session.metadata.purpose, 'erp.invoice')
    assert.match(session.successUrl, new RegExp(`/app/erp/invoices/${id}/paid$`))

    const { event, delivery } = await gateway.pay(session.id)
    assert.equal(delivery.status, 200)
    assert.deepEqual(delivery.body.data, {
      event_id: event.id,
      duplicate: false,
      outcome: 'invoice_paid',
    })

    const paid = await ok(parent.get(`/erp/fees/invoices/${id}`))
    assert.include(paid, { status: 'paid', balance: 0, paid: 45_000, payable_online: false })

    // The same event again, freshly signed: acknowledged, nothing recorded twice.
    const replay = await gateway.deliver(event)
    assert.equal(replay.status, 200)
    assert.include(replay.body.data, { duplicate: true, outcome: 'invoice_paid' })
    const payments = await ok(school.as('bursar').get(`/erp/payments?filter[invoice_id][eq]=${id}`))
    assert.lengthOf(payments, 1)
    assert.include(payments[0], { method: 'online', amount: 45_000, reference: session.id })
    assert.match(payments[0].receipt_no, /^RCT/)

    for (const who of ['parent', 'student'] as const) {
      const notes = await eventually(() => school.inbox(who), {
        until: (found) => found.some((note: any) => note.body.includes(payments[0].receipt_no)),
      })
      assert.isTrue(notes.some((note: any) => note.subject.includes('Payment received')))
    }

    // A paid invoice opens no new session.
    await refused(parent.post(`/erp/invoices/${id}/pay-online`), 409, 'ERR_ERP_INVOICE_CLOSED')
  })

  test('two presses or two tabs get the same open session; once it expires a new one opens', async ({
    client,
    assert,
  }) => {
    const school = await family(client)
    webhooksTo(school)
    const id = await invoice(school, 15_000)
    const before = gateway.requests.length
    // At the same time: the guardian presses twice, the student presses in another tab with its own key.
    const [one, two, three] = await Promise.all([
      ok(school.as('parent').post(`/erp/invoices/${id}/pay-online`)),
      ok(school.as('parent').post(`/erp/invoices/${id}/pay-online`)),
      ok(
        school
          .as('student')
          .post(`/erp/invoices/${id}/pay-online`)
          .header('idempotency-key', 'tab-2')
      ),
    ])
    assert.equal(two.redirect_url, one.redirect_url)
    assert.equal(three.redirect_url, one.redirect_url)
    assert.equal(gateway.requests.length, before + 1)

    const expired = await gateway.deliver(
      gateway.event('checkout.session.expired', sessionOf(one.redirect_url))
    )
    assert.equal(expired.body.data.outcome, 'session_expired')
    const again = await ok(school.as('parent').post(`/erp/invoices/${id}/pay-online`))
    assert.notEqual(again.redirect_url, one.redirect_url)
    assert.equal(gateway.requests.length, before + 2)
    const { delivery } = await gateway.pay(sessionOf(again.redirect_url).id)
    assert.equal(delivery.body.data.outcome, 'invoice_paid')
  })

  test('a session that expires unpaid tells the guardian who opened it; the invoice can be paid again', async ({
    client,
    assert,
  }) => {
    const school = await family(client)
    webhooksTo(school)
    const id = await invoice(school, 7_500)
    const parent = school.as('parent')
    const started = await ok(parent.post(`/erp/invoices/${id}/pay-online`))
    assert.include(await ok(parent.get(`/erp/fees/invoices/${id}`)), { online_session: 'open' })

    const event = gateway.event('checkout.session.expired', sessionOf(started.redirect_url))
    const expired = await gateway.deliver(event)
    assert.equal(expired.body.data.outcome, 'session_expired')
    assert.include((await gateway.deliver(event)).body.data, { duplicate: true })
    const [listed] = await ok(parent.get(`/erp/fees/invoices?student_id=${school.studentId}`))
    assert.include(listed, { id, status: 'open', payable_online: true, online_session: 'expired' })

    const notes = await eventually(() => school.inbox('parent'), {
      until: (found) => found.some((note: any) => note.subject.includes('not completed')),
    })
    const told = notes.filter((note: any) => note.subject.includes('not completed'))
    assert.lengthOf(told, 1)
    assert.include(told[0].body, 'Pia Payne')
    // Only the person who started the payment is told.
    const studentNotes = await school.inbox('student')
    assert.isFalse(studentNotes.some((note: any) => note.subject.includes('not completed')))

    const again = await ok(parent.post(`/erp/invoices/${id}/pay-online`))
    assert.notEqual(again.redirect_url, started.redirect_url)
    assert.include(await ok(parent.get(`/erp/fees/invoices/${id}`)), { online_session: 'open' })
  })

  test('the balance carries the late fine the server counts; paying it online charges the fine', async ({
    client,
    assert,
  }) => {
    const school = await family(client)
    webhooksTo(school)
    // Ten days late at 100 a day, capped at 700.
    const id = await invoice(school, 20_000, { dueInDays: -10, finePerDay: 100, fineCap: 700 })
    const student = school.as('student')
    const view = await ok(student.get(`/erp/fees/invoices/${id}`))
    assert.include(view, { fine: 700, balance: 20_700, status: 'open' })

    const started = await ok(student.post(`/erp/invoices/${id}/pay-online`))
    assert.equal(started.amount, 20_700)
    const { delivery } = await gateway.pay(sessionOf(started.redirect_url).id)
    assert.equal(delivery.body.data.outcome, 'invoice_paid')
    const after = await ok(student.get(`/erp/fees/invoices/${id}`))
    assert.include(after, { fine: 700, paid: 20_700, balance: 0, status: 'paid' })
  })

  test('an amount that is not the session’s, or an invoice paid meanwhile, records nothing', async ({
    client,
    assert,
  }) => {
    const school = await family(client)
    webhooksTo(school)
    const parent = school.as('parent')
    const payments = async (invoiceId: string) =>
      (await ok(school.as('bursar').get(`/erp/payments?filter[invoice_id][eq]=${invoiceId}`)))
        .length

    const first = await invoice(school, 30_000)
    const started = await ok(parent.post(`/erp/invoices/${first}/pay-online`))
    const session = sessionOf(started.redirect_url)
    const event = gateway.event('checkout.session.completed', session)
    event.data.object.amount = 100
    const cheap = await gateway.deliver(event)
    assert.equal(cheap.body.data.outcome, 'amount_mismatch')
    assert.include(await ok(parent.get(`/erp/fees/invoices/${first}`)), {
      status: 'open',
      balance: 30_000,
    })
    assert.equal(await payments(first), 0)

    // The office takes the money in cash while the session is open; the card payment then records nothing.
    const second = await invoice(school, 12_000)
    const late = await ok(parent.post(`/erp/invoices/${second}/pay-online`))
    await created(
      school
        .as('bursar')
        .post('/erp/payments')
        .json({ invoice_id: second, amount: 12_000, method: 'cash' })
    )
    const { delivery } = await gateway.pay(sessionOf(late.redirect_url).id)
    assert.equal(delivery.status, 200)
    assert.equal(delivery.body.data.outcome, 'invoice_closed')
    assert.equal(await payments(second), 1)
    assert.include(await ok(parent.get(`/erp/fees/invoices/${second}`)), {
      status: 'paid',
      paid: 12_000,
    })

    // The money the gateway took is listed for the fees office, who are told to refund it.
    const lateSession = sessionOf(late.redirect_url).id
    const unmatched = await ok(school.as('bursar').get('/erp/fees/unmatched-payments'))
    assert.lengthOf(unmatched, 1)
    assert.include(unmatched[0], {
      session_id: lateSession,
      invoice_id: second,
      amount: 12_000,
      outcome: 'invoice_closed',
    })
    assert.match(unmatched[0].invoice_number, /\S/)
    const notes = await eventually(() => school.inbox('bursar'), {
      until: (found) => found.some((note: any) => note.subject.includes('to refund')),
    })
    const note: any = notes.find((found: any) => found.subject.includes('to refund'))
    assert.include(note.body, lateSession)
    assert.include(note.subject, unmatched[0].invoice_number)
    await refused(parent.get('/erp/fees/unmatched-payments'), 403, 'ERR_FORBIDDEN')
    assert.isFalse((await school.inbox('parent')).some((n: any) => n.subject.includes('to refund')))
  })

  test('a webhook of tenant A’s session sent to tenant B pays nothing in B', async ({
    client,
    assert,
  }) => {
    const a = await family(client)
    const b = await family(client)
    const inA = await invoice(a, 9_000)
    const inB = await invoice(b, 9_000)
    // Fresh schools number their first invoices alike: the references collide.
    assert.equal(inA, inB)
    const started = await ok(a.as('parent').post(`/erp/invoices/${inA}/pay-online`))
    webhooksTo(b)
    const { delivery } = await gateway.pay(sessionOf(started.redirect_url).id)
    assert.equal(delivery.status, 200)
    assert.equal(delivery.body.data.outcome, 'unknown_session')
    assert.include(await ok(b.as('parent').get(`/erp/fees/invoices/${inB}`)), { status: 'open' })
    assert.include(await ok(a.as('parent').get(`/erp/fees/invoices/${inA}`)), { status: 'open' })
  })

  test('webhooks that are unsigned, wrongly signed, stale or not events are refused', async ({
    client,
    assert,
  }) => {
    const school = await family(client)
    webhooksTo(school)
    const id = await invoice(school, 5_000)
    const started = await ok(school.as('parent').post(`/erp/invoices/${id}/pay-online`))
    const event = gateway.event('checkout.session.completed', sessionOf(started.redirect_url))

    const unsigned = await gateway.deliver(event, { signature: null })
    assert.equal(unsigned.status, 400)
    assert.equal(unsigned.body.error.code, 'ERR_PAYMENT_WEBHOOK_SIGNATURE')
    const wrongKey = await gateway.deliver(event, { secret: 'whsec_wrong' })
    assert.equal(wrongKey.body.error.code, 'ERR_PAYMENT_WEBHOOK_SIGNATURE')
    const tampered = await gateway.deliver(event, {
      tamper: (raw) => raw.replace('"amount":5000', '"amount":1'),
    })
    assert.equal(tampered.body.error.code, 'ERR_PAYMENT_WEBHOOK_SIGNATURE')
    // The right signature with an odd hex digit after it decodes to the same bytes: still refused.
    const now = Math.floor(Date.now() / 1000)
    const respelled = await gateway.deliver(event, {
      timestamp: now,
      signature: `${gateway.signature(JSON.stringify(event), now)}0`,
    })
    assert.equal(respelled.body.error.code, 'ERR_PAYMENT_WEBHOOK_SIGNATURE')
    const stale = await gateway.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 900 })
    assert.equal(stale.status, 400)
    assert.equal(stale.body.error.code, 'ERR_PAYMENT_WEBHOOK_STALE')
    const notAnEvent = await gateway.deliver({ hello: 'world' })
    assert.equal(notAnEvent.status, 400)
    assert.equal(notAnEvent.body.error.code, 'ERR_VALIDATION')
    const unknown = await gateway.deliver({
      id: 'evt_unknown',
      type: 'checkout.session.completed',
      data: { object: { id: 'cs_nobody', amount: 5_000 } },
    })
    assert.equal(unknown.body.data.outcome, 'unknown_session')

    assert.include(await ok(school.as('parent').get(`/erp/fees/invoices/${id}`)), {
      status: 'open',
    })
    const genuine = await gateway.deliver(event)
    assert.equal(genuine.body.data.outcome, 'invoice_paid')
  })

  test('who may pay, bad input, and a school without a provider', async ({ client, assert }) => {
    const school = await family(client, false)
    const id = await invoice(school, 8_000)

    const [view] = await ok(
      school.as('parent').get(`/erp/fees/invoices?student_id=${school.studentId}`)
    )
    assert.include(view, { balance: 8_000, payable_online: false })
    await refused(
      school.as('parent').post(`/erp/invoices/${id}/pay-online`),
      409,
      'ERR_PAYMENT_PROVIDER_NOT_CONFIGURED'
    )
    // The fees office sees any student's invoices; another family sees none.
    assert.lengthOf(
      await ok(school.as('bursar').get(`/erp/fees/invoices?student_id=${school.studentId}`)),
      1
    )
    await refused(
      school.as('otherParent').get(`/erp/fees/invoices?student_id=${school.studentId}`),
      404,
      'ERR_ERP_NOT_FOUND'
    )
    await refused(
      school.as('otherParent').get(`/erp/fees/invoices/${id}`),
      404,
      'ERR_ERP_NOT_FOUND'
    )
    await refused(
      school.as('otherParent').post(`/erp/invoices/${id}/pay-online`),
      404,
      'ERR_ERP_NOT_FOUND'
    )
    await refused(
      school.as('parent').post('/erp/invoices/abc/pay-online'),
      404,
      'ERR_ERP_NOT_FOUND'
    )
    await refused(
      school.as('parent').post('/erp/invoices/999999/pay-online'),
      404,
      'ERR_ERP_NOT_FOUND'
    )
    await refused(school.as('parent').get('/erp/fees/invoices?student_id=x'), 400, 'ERR_VALIDATION')
    // Without student_id: the user's own and their children's; the fees office has none of its own.
    assert.deepEqual(
      (await ok(school.as('parent').get('/erp/fees/invoices'))).map((i: any) => i.id),
      [id]
    )
    assert.lengthOf(await ok(school.as('otherParent').get('/erp/fees/invoices')), 0)
    const badKey = await school
      .as('parent')
      .post(`/erp/invoices/${id}/pay-online`)
      .header('idempotency-key', 'ünïcode')
    assert.equal(errorCode(badKey), 'ERR_VALIDATION')

    // Only an administrator sets the provider; a bad address is refused.
    await refused(
      school
        .as('parent')
        .put('/admin/payments/card')
        .json({ api_url: gateway.url, api_key: 'k', webhook_secret: 's' }),
      403,
      'ERR_FORBIDDEN'
    )
    const bad = await school
      .as('head')
      .put('/admin/payments/card')
      .json({ api_url: 'ftp://gateway', api_key: '', webhook_secret: 's' })
    assert.equal(bad.status(), 400)
    assert.equal(errorCode(bad), 'ERR_VALIDATION')
    assert.includeMembers(
      bad.body().error.details.map((d: any) => d.field),
      ['api_url', 'api_key']
    )
    const unset = await ok(school.as('head').get('/admin/payments/card'))
    assert.include(unset, { api_key_set: false, webhook_path: '/api/v1/payments/webhooks/card' })
  })
})
