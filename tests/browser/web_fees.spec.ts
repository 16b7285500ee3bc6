import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import type { Browser, Page } from 'playwright-core'
import { eventually, PaymentGateway, tenantDb } from '@oryne/sdk/testing'
import type { Tenant } from '#core/tenancy/types'
import { sealSecret } from '#core/payments/providers'
import { createInvoice } from '#plugins/erp/services/fees'
import { createUser, PASSWORD } from '#tests/support/auth'
import {
  accessibilityProblems,
  demoSchool,
  openApp,
  PHONE,
  shot,
  signInApp,
  signInDemo,
  startBrowser,
} from '#tests/support/web'

/*
 * A parent's fees and timetable pages (docs/web.md, "ERP pages") in Chromium
 * against the demo school: paying an invoice online through the test card
 * gateway (its hosted page, its signed webhook) and coming back to the
 * invoice paid; each child's week timetable.
 */

test.group('Web app: a parent pays a fee online and sees the week', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  let accounts: Record<string, string>
  let today: string
  const gateway = new PaymentGateway()

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    ;({ tenant, accounts } = await demoSchool())
    today = DateTime.now()
      .setZone(tenant.settings.time_zone || 'UTC')
      .toISODate()!
    await gateway.start()
    gateway.sendWebhooksTo(`${baseUrl}/api/v1/payments/webhooks/card`, {
      'x-tenant-id': tenant.slug,
    })
    return async () => {
      // The demo school is shared by the browser specs: it takes no card payments again.
      await tenantDb(tenant, (trx) => trx.from('payment_providers').delete())
      await gateway.stop()
      await started.stop()
    }
  })
  group.each.timeout(180_000)

  /** The demo parent's first child. */
  function parentsChild() {
    return tenantDb(tenant, (trx) =>
      trx
        .from('erp_guardians as g')
        .join('users as u', 'u.id', 'g.user_id')
        .join('erp_students as s', 's.id', 'g.student_id')
        .where('u.email', accounts.Parent)
        .orderBy('s.id')
        .select('s.id', 's.first_name', 's.last_name')
        .first()
    )
  }

  /** A new fees invoice of the parent's first child, due `dueInDays` from today. */
  async function childInvoice(description: string, amount: number, dueInDays: number) {
    const child = await parentsChild()
    return tenantDb(tenant, (trx) =>
      createInvoice(trx, {
        student_id: child.id,
        issued_on: today,
        due_on: DateTime.fromISO(today).plus({ days: dueInDays }).toISODate()!,
        lines: [{ description, amount }],
        source: 'fees',
      })
    )
  }

  /** The demo school takes card payments at the test gateway. */
  function takeCardPayments() {
    return tenantDb(tenant, (trx) =>
      trx
        .insertQuery()
        .table('payment_providers')
        .insert({
          provider: 'card',
          api_url: gateway.url,
          api_key: sealSecret(gateway.apiKey),
          webhook_secret: sealSecret(gateway.webhookSecret),
        })
        .onConflict('provider')
        .merge()
    )
  }

  /** The pay button of an invoice's row. */
  const payButton = (page: Page, number: string) =>
    page.getByRole('button', { name: `Pay online: invoice ${number}` })

  test('a parent pays an invoice at the card gateway and comes back to it paid, on a phone', async ({
    assert,
  }) => {
    const invoice = await childInvoice('Science trip', 12_345, 10)

    const { page, problems, elsewhere } = await openApp(browser, baseUrl, { viewport: PHONE })
    // The gateway's hosted page is the one address outside Oryne this flow visits.
    await page.route(`${gateway.url}/**`, (route) => route.continue())
    await signInDemo(page, baseUrl, 'Parent')

    // No provider yet: no button, the note says where to pay.
    await page.goto(`${baseUrl}/app/erp/children`)
    const row = page.locator(`tr[data-invoice="${invoice.number}"]`)
    await row.waitFor()
    await page
      .getByText(/^Online payment is not available/)
      .first()
      .waitFor()
    assert.equal(await payButton(page, invoice.number).count(), 0)

    await takeCardPayments()
    await page.reload()
    await payButton(page, invoice.number).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.isAtMost(
      await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth),
      PHONE.width
    )
    await shot(page, 'erp-parent-pay-online-phone')

    await payButton(page, invoice.number).click()
    await page.waitForURL(`${gateway.url}/pay/**`)
    await page.getByRole('heading', { name: /^Pay 123\.45 / }).waitFor()
    await shot(page, 'erp-parent-gateway-phone')
    await page.getByRole('button', { name: 'Pay' }).click()

    await page.waitForURL(`${baseUrl}/app/erp/invoices/${invoice.id}/paid`)
    const said = page.locator('p[role="status"].erp-result')
    await said.waitFor()
    assert.equal(await said.innerText(), `Invoice ${invoice.number} is paid. Thank you!`)
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-parent-paid-phone')

    const payments = await tenantDb(tenant, (trx) =>
      trx.from('erp_payments').where('invoice_id', invoice.id).select('method', 'amount')
    )
    assert.deepEqual(
      payments.map((p) => [p.method, Number(p.amount)]),
      [['online', 12_345]]
    )

    // Back on the fees page: paid, no button for it any more.
    await page.getByRole('link', { name: 'My children' }).first().click()
    await row.waitFor()
    assert.equal(await row.locator('td').nth(4).innerText(), 'Paid')
    assert.equal(await payButton(page, invoice.number).count(), 0)
    assert.deepEqual(problems, [])
    assert.deepEqual(
      elsewhere.filter((url) => !url.startsWith(gateway.url)),
      []
    )
  })

  test('a parent who leaves the gateway unpaid is told the session expired and pays again from the invoice', async ({
    assert,
  }) => {
    const invoice = await childInvoice('Library fine', 6_789, 10)
    await takeCardPayments()
    const { page, problems, elsewhere } = await openApp(browser, baseUrl, { viewport: PHONE })
    await page.route(`${gateway.url}/**`, (route) => route.continue())
    await signInDemo(page, baseUrl, 'Parent')
    await page.goto(`${baseUrl}/app/erp/children`)
    await payButton(page, invoice.number).click()
    await page.waitForURL(`${gateway.url}/pay/**`)
    const first = page.url().split('/').at(-1)!

    // The parent leaves without paying; later the gateway says the session expired.
    const expired = await gateway.deliver(
      gateway.event('checkout.session.expired', gateway.sessions.get(first)!)
    )
    assert.equal(expired.body.data.outcome, 'session_expired')
    await page.goto(`${baseUrl}/app/erp/children`)
    const note = page.locator('p.erp-pay-expired', { hasText: invoice.number })
    await note.waitFor()
    assert.equal(
      await note.innerText(),
      `The online payment started for invoice ${invoice.number} expired before it was paid; nothing was taken. You can pay it again.`
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-parent-pay-expired-phone')
    // The parent who opened the session is told in the app, once.
    const told = await eventually(
      () =>
        tenantDb(tenant, (trx) =>
          trx
            .from('notifications as n')
            .join('users as u', 'u.id', 'n.user_id')
            .where('u.email', accounts.Parent)
            .where('n.template', 'erp.online_payment_expired')
            .select('n.id')
        ),
      { until: (rows) => rows.length > 0 }
    )
    assert.lengthOf(told, 1)

    await payButton(page, invoice.number).click()
    await page.waitForURL(`${gateway.url}/pay/**`)
    assert.notEqual(page.url().split('/').at(-1), first)
    assert.deepEqual(problems, [])
    assert.deepEqual(
      elsewhere.filter((url) => !url.startsWith(gateway.url)),
      []
    )
  })

  test('the fees desk lists a card payment no invoice could record, to refund at the gateway', async ({
    assert,
  }) => {
    const invoice = await childInvoice('Uniform', 4_200, 0)
    // What the webhook leaves when the invoice was paid at the office meanwhile (online_payments.spec drives that).
    const sessionId = `cs_unmatched_${invoice.id}`
    await tenantDb(tenant, (trx) =>
      trx
        .insertQuery()
        .table('payment_sessions')
        .insert({
          provider: 'card',
          external_id: sessionId,
          purpose: 'erp.invoice',
          reference: String(invoice.id),
          amount: 4_200,
          currency: tenant.settings.currency,
          url: `${gateway.url}/pay/${sessionId}`,
          status: 'unmatched',
          outcome: 'invoice_closed',
          created_by: 'user:someone',
        })
    )
    const { page, problems } = await openApp(browser, baseUrl)
    if (accounts.Staff) await signInDemo(page, baseUrl, 'Staff')
    else {
      const email = `bursar-${invoice.id}@${tenant.slug}.example`
      await createUser(tenant, { email, role: 'Staff' })
      await signInApp(page, baseUrl, { school: tenant.slug, email, password: PASSWORD })
    }
    await page.goto(`${baseUrl}/app/erp/fees-desk`)
    await page
      .getByRole('heading', { name: 'Online payments to refund at the card gateway' })
      .waitFor()
    const row = page.locator('ul.erp-unmatched > li', { hasText: sessionId })
    assert.match(
      await row.innerText(),
      new RegExp(
        `^Invoice ${invoice.number}: \\S+ taken, not recorded \\(the invoice was already paid or cancelled\\)\\. Session ${sessionId}\\.$`
      )
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-fees-desk-unmatched')
    assert.deepEqual(problems, [])
    // The demo school is shared by the browser specs: the refund is done.
    await tenantDb(tenant, (trx) =>
      trx.from('payment_sessions').where('external_id', sessionId).delete()
    )
  })

  test('a parent sees a child’s week timetable, on a desktop and a phone', async ({ assert }) => {
    const child = await parentsChild()
    const name = `${child.first_name} ${child.last_name}`
    const { page, problems } = await openApp(browser, baseUrl)
    await signInDemo(page, baseUrl, 'Parent')
    await page.goto(`${baseUrl}/app/erp/children`)
    await page.getByRole('link', { name: `Week timetable of ${name}` }).click()
    await page.getByRole('heading', { name: `Timetable of ${name}`, level: 1 }).waitFor()
    assert.equal(
      await page.getByRole('button', { name: 'This week' }).getAttribute('aria-pressed'),
      'true'
    )
    const monday = DateTime.fromISO(today).startOf('week').toISODate()!
    const week = await page.evaluate(
      async ([from, studentId]) => {
        const session = JSON.parse(localStorage.getItem('oryne.app.session') ?? 'null')
        const response = await fetch(
          `/api/v1/erp/timetable/mine?from=${from}&days=7&student_id=${studentId}`,
          {
            headers: {
              'Authorization': `Bearer ${session.access_token}`,
              'X-Tenant-ID': session.tenant,
            },
          }
        )
        return ((await response.json()) as { data: any }).data
      },
      [monday, String(child.id)] as const
    )
    const shown = week.days.filter((day: any) => day.weekday <= 5 || day.slots.length > 0)
    await page.locator('section.erp-day').first().waitFor()
    assert.equal(await page.locator('section.erp-day').count(), shown.length)
    assert.isAbove(
      shown.reduce((sum: number, day: any) => sum + day.slots.length, 0),
      0,
      'the demo child has classes this week'
    )
    assert.equal(
      await page.locator('section.erp-day ol.erp-classes > li').count(),
      shown.reduce((sum: number, day: any) => sum + (day.holiday ? 0 : day.slots.length), 0)
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-parent-week')

    await page.setViewportSize(PHONE)
    assert.isAtMost(
      await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth),
      PHONE.width
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'erp-parent-week-phone')
    assert.deepEqual(problems, [])
  })
})
