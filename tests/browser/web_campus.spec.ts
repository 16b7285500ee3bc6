import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser, Page } from 'playwright-core'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { createUser, PASSWORD } from '#tests/support/auth'
import { PaymentGateway } from '@oryne/sdk/testing'
import {
  accessibilityProblems,
  demoSchool,
  openApp,
  pagesNotCheckedByAxe,
  PHONE,
  shot,
  signInApp,
  signInDemo,
  startBrowser,
  tabTo,
  type AppPage,
} from '#tests/support/web'
import { recordInteractions } from '#plugins/ai/services/interactions'

/*
 * The campus pages of the web app (docs/web.md, "Campus pages") in the demo
 * school: the library desk scanning and a student's renewals, the hostel
 * allocation board, a parent's pickup times, event registration, the shop's
 * card checkout and the recommended courses widget. Every step is read back
 * through the API with the signed-in person's own session.
 */

type Answer = { status: number; body: any }

/** Calls the API from the page with the session the app keeps (the person's own rights). */
function apiOf(page: Page, path: string, init: { method?: string; body?: unknown } = {}) {
  return page.evaluate(
    async ({ path: address, init: options }): Promise<Answer> => {
      const held = JSON.parse(localStorage.getItem('oryne.app.session') ?? 'null')
      const headers: Record<string, string> = {
        'Accept': 'application/json',
        'Authorization': `Bearer ${held.access_token}`,
        'X-Tenant-ID': held.tenant,
      }
      if (options.body !== undefined) headers['Content-Type'] = 'application/json'
      const response = await fetch(address, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      })
      return { status: response.status, body: await response.json() }
    },
    { path, init }
  )
}

async function data(page: Page, path: string) {
  const answer = await apiOf(page, path)
  if (answer.status >= 400)
    throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body.data
}

/** Pages must not scroll sideways at phone width. */
function pageWidth(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth')
}

/** Opens a page of the app and waits until it has loaded what it shows. */
async function visit(page: Page, baseUrl: string, path: string) {
  await page.goto(`${baseUrl}/app${path}`)
  await page.locator('#page-title').waitFor()
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' })
}

/** Message keys shown as they are (a string missing from the catalogue of the language). */
async function untranslated(page: Page) {
  const text = await page.locator('body').innerText()
  return text.match(/\b(library|hostel|transport|events|estore|ai)\.[a-zA-Z.]+/g) ?? []
}

/** The value of the status line `selector` once it says something. */
async function said(page: Page, selector = '.notice[role="status"]') {
  const status = page.locator(selector).first()
  await status.filter({ hasText: /\S/ }).waitFor()
  return status.innerText()
}

test.group('Web app: campus pages in the demo school', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  const gateway = new PaymentGateway()
  const staffEmail = () => `staff@${tenant.slug}.example`
  const opened: AppPage[] = []

  async function open(options: { phone?: boolean } = {}) {
    const view = await openApp(browser, baseUrl, options.phone ? { viewport: PHONE } : {})
    opened.push(view)
    return view
  }

  /** The hostel and library office: demo staff1 once it exists, else a Staff account of the spec. */
  async function signInStaff(page: Page) {
    const { accounts } = await demoSchool()
    if (accounts.Staff) return signInDemo(page, baseUrl, 'Staff')
    await signInApp(page, baseUrl, { school: tenant.slug, email: staffEmail(), password: PASSWORD })
  }

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    const demo = await demoSchool()
    tenant = demo.tenant
    if (!demo.accounts.Staff) await createUser(tenant, { email: staffEmail(), role: 'Staff' })
    const plugins = await app.container.make('oryne.plugins')
    // The demo school runs no AI by default; the shop pays through a test card gateway.
    await plugins.enable(tenant, ['ai'], { actor: 'test' })
    await gateway.start()
    gateway.sendWebhooksTo(`${baseUrl}/api/v1/estore/webhooks/card`, {
      'x-tenant-id': tenant.slug,
    })
    await plugins.updateSettings(
      tenant,
      'estore',
      {
        card_api_url: gateway.url,
        card_api_key: gateway.apiKey,
        card_webhook_secret: gateway.webhookSecret,
      },
      { actor: 'test' }
    )
    return async () => {
      await gateway.stop()
      await started.stop()
    }
  })

  group.each.teardown(async ({ context }) => {
    for (const { problems, elsewhere } of opened) {
      context.assert.deepEqual(problems, [])
      context.assert.deepEqual(elsewhere, [])
    }
    for (const view of opened.splice(0)) await view.page.context().close()
  })

  test('library: the desk issues and takes back by scanner; a student renews, a refusal in words', async ({
    assert,
  }) => {
    const { page: s } = await open({ phone: true })
    await signInDemo(s, baseUrl, 'Student')
    // Row rules: a student reads their own member record (card) only.
    const [member] = await data(s, '/api/v1/library/members')
    const { page: desk } = await open()
    await signInStaff(desk)
    assert.exists(member, 'student1 is a library member')
    const [copy] = await data(
      desk,
      '/api/v1/library/copies?filter[status]=available&filter[reference_only]=false&sort=barcode&per_page=1'
    )

    await visit(desk, baseUrl, '/library/desk')
    assert.deepEqual(await accessibilityProblems(desk), [])
    // The member card is scanned (typed, then Enter), then the book: focus stays for the next scan.
    await desk.getByLabel('Member card or student name').fill(member.card_no)
    await desk.getByLabel('Member card or student name').press('Enter')
    await desk.locator('#desk-borrower', { hasText: member.card_no }).waitFor()
    const barcode = desk.getByLabel('Book barcode')
    assert.isTrue(await barcode.evaluate((el: any) => el.matches(':focus')))
    await desk.keyboard.type(copy.barcode)
    await desk.keyboard.press('Enter')
    assert.match(
      await said(desk, '#desk-result'),
      new RegExp(`^${copy.barcode} issued to .+, due `)
    )
    assert.isTrue(await barcode.evaluate((el: any) => el.matches(':focus')))
    assert.equal(await barcode.inputValue(), '')
    await desk.keyboard.type('NO-SUCH-BOOK')
    await desk.keyboard.press('Enter')
    await desk.getByRole('alert').filter({ hasText: 'No book has this barcode' }).waitFor()
    await shot(desk, 'campus-library-desk')

    // The student's loans, on a phone: the new one renews, the overdue one is refused in words.
    const loans = await data(
      s,
      '/api/v1/library/loans?filter[status]=open&include=title,copy&sort=due_on'
    )
    const issued = loans.find((loan: any) => loan.copy.barcode === copy.barcode)
    const overdue = loans.find((loan: any) => loan.copy.barcode !== copy.barcode)
    assert.exists(issued)
    assert.exists(overdue, 'the demo gives student1 an overdue loan')
    await visit(s, baseUrl, '/library/loans')
    assert.deepEqual(await accessibilityProblems(s), [])
    assert.isAtMost(await pageWidth(s), PHONE.width)
    await s
      .getByRole('button', {
        name: `Renew ${overdue.title.title} (copy ${overdue.copy.barcode})`,
      })
      .click()
    await s
      .getByRole('alert')
      .filter({ hasText: 'This loan is overdue and cannot be renewed' })
      .waitFor()
    await s
      .getByRole('button', {
        name: `Renew ${issued.title.title} (copy ${issued.copy.barcode})`,
      })
      .click()
    assert.match(await said(s), new RegExp(`^${issued.title.title} renewed: now due `))
    await shot(s, 'campus-library-loans-phone')
    const renewed = await data(s, `/api/v1/library/loans/${issued.id}`)
    assert.equal(renewed.renewals, 1)
    // A renewal runs the card's loan days again from today (the same day as the issue here).
    assert.isTrue(renewed.due_on >= issued.due_on, `${renewed.due_on} from ${issued.due_on}`)
    assert.equal((await data(s, `/api/v1/library/loans/${overdue.id}`)).renewals, 0)

    // Back at the desk: the book comes back by the same scan.
    await desk.getByLabel('Return').check()
    await barcode.focus()
    await desk.keyboard.type(copy.barcode)
    await desk.keyboard.press('Enter')
    await desk.locator('#desk-result', { hasText: `${copy.barcode} returned.` }).waitFor()
    assert.equal((await data(desk, `/api/v1/library/loans/${issued.id}`)).status, 'returned')
  }).timeout(120_000)

  test('hostel: the board allocates a free bed, moves the resident and ends the stay, by keyboard', async ({
    assert,
  }) => {
    const { page } = await open()
    await signInStaff(page)
    const [hostel] = await data(page, '/api/v1/hostel/hostels?filter[type]=boys')
    const housed = new Set(
      (await data(page, '/api/v1/hostel/allocations?filter[status]=active&per_page=100')).map(
        (a: any) => String(a.student_id)
      )
    )
    const boys = await data(
      page,
      '/api/v1/erp/students?filter[gender]=male&filter[status]=active&sort=enrollment_no&per_page=100'
    )
    const student = boys.find((b: any) => !housed.has(String(b.id)))
    const name = `${student.first_name} ${student.last_name}`
    const rooms = await data(
      page,
      `/api/v1/hostel/rooms?filter[hostel_id]=${hostel.id}&filter[status]=active&sort=number&per_page=100`
    )
    const room = rooms.find((r: any) => r.occupied < r.capacity)
    const target = rooms.find((r: any) => r.occupied < r.capacity && r.id !== room.id)

    await visit(page, baseUrl, '/hostel/board')
    await page.getByRole('heading', { name: `Room ${room.number}` }).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'campus-hostel-board')

    // Keyboard only: focus the free bed's button, Enter, type, Enter, Enter.
    await page
      .getByRole('button', { name: `Allocate bed ${room.occupied + 1} of room ${room.number}` })
      .focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: `Allocate a bed in room ${room.number}` }).waitFor()
    await page.getByLabel('Student name or enrolment number').focus()
    await page.keyboard.type(name)
    await page.keyboard.press('Enter')
    await page.getByRole('button', { name: `Allocate ${name} to room ${room.number}` }).focus()
    await page.keyboard.press('Enter')
    assert.equal(await said(page), `${name} now has a bed in room ${room.number}.`)
    const [made] = await data(
      page,
      `/api/v1/hostel/allocations?filter[student_id]=${student.id}&filter[status]=active`
    )
    assert.equal(String(made.room_id), String(room.id))
    assert.deepEqual(await accessibilityProblems(page), [])

    await tabTo(page, page.getByRole('button', { name: `Move ${name}` }))
    await page.keyboard.press('Enter')
    await tabTo(page, page.getByLabel('New room'))
    await page.getByLabel('New room').selectOption(String(target.id))
    await tabTo(page, page.getByRole('button', { name: 'Move', exact: true }))
    await page.keyboard.press('Enter')
    await page.locator('.notice', { hasText: `${name} moved to room ${target.number}.` }).waitFor()
    const [moved] = await data(
      page,
      `/api/v1/hostel/allocations?filter[student_id]=${student.id}&filter[status]=active`
    )
    assert.equal(String(moved.room_id), String(target.id))
    assert.equal((await data(page, `/api/v1/hostel/allocations/${made.id}`)).status, 'transferred')

    await tabTo(page, page.getByRole('button', { name: `End stay: ${name}` }))
    await page.keyboard.press('Enter')
    await tabTo(page, page.getByRole('button', { name: 'End the stay now' }))
    await page.keyboard.press('Enter')
    await page
      .locator('.notice', { hasText: `The stay of ${name} in room ${target.number} ended` })
      .waitFor()
    assert.equal((await data(page, `/api/v1/hostel/allocations/${moved.id}`)).status, 'vacated')
    await shot(page, 'campus-hostel-board-after')
  }).timeout(120_000)

  test('transport: a parent sees each child’s route, stop and bus times on a phone', async ({
    assert,
  }) => {
    const { page } = await open({ phone: true })
    await signInDemo(page, baseUrl, 'Parent')
    const rides = await data(
      page,
      '/api/v1/transport/assignments?filter[status]=active&include=student,route,stop,vehicle'
    )
    assert.isAbove(rides.length, 0, 'parent1’s child rides the bus in the demo')
    await visit(page, baseUrl, '/transport/pickups')
    const cards = page.locator('ul.campus-cards > li')
    assert.equal(await cards.count(), rides.length)
    const first = await cards.first().innerText()
    assert.include(first, `${rides[0].student.first_name} ${rides[0].student.last_name}`)
    assert.include(first, rides[0].route.name)
    assert.include(first, rides[0].stop.name)
    assert.include(first, rides[0].vehicle.registration)
    // 07:10 as the tenant writes times (en: 07:10 or 7:10 AM).
    const [hours, minutes] = rides[0].stop.pickup_time.split(':')
    assert.match(first, new RegExp(`0?${Number(hours)}:${minutes}`))
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.isAtMost(await pageWidth(page), PHONE.width)
    await shot(page, 'campus-transport-phone')
  }).timeout(60_000)

  test('events: a student cancels a place and registers again onto the waitlist, on a phone, by keyboard', async ({
    assert,
  }) => {
    const { page } = await open({ phone: true })
    await signInDemo(page, baseUrl, 'Student')
    const [sports] = await data(page, '/api/v1/events/events?filter[title]=Sports%20day')
    const [mine] = await data(
      page,
      `/api/v1/events/registrations?filter[event_id]=${sports.id}&filter[status]=registered`
    )
    assert.exists(mine, 'the demo gives student1 a place at sports day')

    await visit(page, baseUrl, '/events/register')
    const card = page.locator('ul.campus-cards > li', { hasText: 'Sports day' })
    await card.getByText('You have a place.').waitFor()
    assert.include(await card.innerText(), '12 places. When full, you join the waitlist.')
    const fullness = (places: any) =>
      places.free
        ? `${places.free} place${places.free === 1 ? '' : 's'} left.`
        : `Full: ${places.waiting} ${places.waiting === 1 ? 'person' : 'people'} waiting.`
    const before = await data(page, `/api/v1/events/events/${sports.id}/places`)
    assert.include(await card.innerText(), fullness(before))
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.isAtMost(await pageWidth(page), PHONE.width)

    // Keyboard only: Tab to each button, Enter.
    await tabTo(page, page.getByRole('button', { name: 'Cancel registration for Sports day' }))
    await page.keyboard.press('Enter')
    assert.equal(await said(page), 'Registration for Sports day cancelled.')
    assert.equal((await data(page, `/api/v1/events/registrations/${mine.id}`)).status, 'cancelled')
    // The freed place went to the first in line; registering again joins the waitlist.
    await tabTo(page, page.getByRole('button', { name: 'Register for Sports day' }))
    await page.keyboard.press('Enter')
    assert.match(await said(page), /^Sports day is full: you are number \d+ on the waitlist\.$/)
    await card.getByText('You are on the waitlist.').waitFor()
    // The focus stays where the keyboard user was, not back at the top of the page.
    await page.waitForFunction("document.activeElement?.tagName === 'BUTTON'")
    assert.isTrue(
      await card.evaluate((li) => li.contains((globalThis as any).document.activeElement))
    )
    // The place freed went to the first in line, and the student is last in it now.
    const after = await data(page, `/api/v1/events/events/${sports.id}/places`)
    assert.equal(after.waiting, before.waiting)
    assert.include(await card.innerText(), fullness(after))
    const [again] = await data(
      page,
      `/api/v1/events/registrations?filter[event_id]=${sports.id}&filter[status]=waitlisted`
    )
    assert.exists(again)
    await shot(page, 'campus-events-phone')
  }).timeout(60_000)

  test('e-store: a student fills a cart and pays by card through the gateway by keyboard; the order shows paid', async ({
    assert,
  }) => {
    const { page } = await open({ phone: true })
    // The gateway's hosted page is the one address outside Oryne this flow visits.
    await page.route(`${gateway.url}/**`, (route) => route.continue())
    await signInDemo(page, baseUrl, 'Student')
    await data(page, '/api/v1/estore/cart').then(() =>
      apiOf(page, '/api/v1/estore/cart', { method: 'DELETE' })
    )
    await visit(page, baseUrl, '/estore/shop')
    await page.getByRole('heading', { name: 'Ballpoint pens (pack of 10)' }).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.isAtMost(await pageWidth(page), PHONE.width)

    const pens = 'Ballpoint pens (pack of 10) (Blue)'
    // Keyboard only: Tab to each control, Enter (Space on the payment choice).
    const add = page.getByRole('button', { name: `Add to cart: ${pens}` })
    await tabTo(page, add)
    await page.keyboard.press('Enter')
    assert.equal(await said(page), `${pens}: 1 in your cart.`)
    await tabTo(page, add)
    await page.keyboard.press('Enter')
    await page.locator('.notice', { hasText: `${pens}: 2 in your cart.` }).waitFor()
    const cart = await data(page, '/api/v1/estore/cart')
    assert.deepEqual(
      cart.items.map((line: any) => [line.sku, line.quantity]),
      [['PENS-BLUE', 2]]
    )
    await shot(page, 'campus-estore-cart-phone')

    await tabTo(page, page.getByLabel('Card (online)'))
    await page.keyboard.press('Space')
    assert.isTrue(await page.getByLabel('Card (online)').isChecked())
    await tabTo(page, page.getByRole('button', { name: 'Place order' }))
    await page.keyboard.press('Enter')

    // Placing a card order goes straight to the gateway's hosted page; paying there comes back to the order.
    await page.waitForURL(`${gateway.url}/pay/**`)
    const session = gateway.sessions.get(page.url().split('/').at(-1)!)!
    assert.equal(session.amount, cart.total)
    const orderPath = new URL(session.successUrl).pathname
    assert.match(orderPath, /^\/app\/estore\/orders\/\d+$/)
    await page.getByRole('button', { name: 'Pay' }).click()
    await page.waitForURL(`${baseUrl}${orderPath}`)
    const orderId = orderPath.split('/').at(-1)!
    await page.getByRole('heading', { name: `Order ${orderId}`, level: 1 }).waitFor()
    await page.getByRole('status').filter({ hasText: 'Paid: ready to collect' }).waitFor()
    assert.equal(session.status, 'complete')
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.equal(await page.getByRole('button', { name: 'Pay by card' }).count(), 0)
    await shot(page, 'campus-estore-paid-phone')
    const order = await data(page, `/api/v1/estore/orders/${orderId}`)
    assert.equal(order.status, 'paid')
    assert.equal(order.payment_method, 'card')
  }).timeout(90_000)

  test('AI: the student’s home page lists the recommended courses the API answers', async ({
    assert,
  }) => {
    // Classmates took courses (as enrolments would have told the AI); student1 took none of them.
    const people = await tenantContext.run(tenant, () =>
      withTenantDb(async (trx) => ({
        users: await trx
          .from('users')
          .where('email', 'like', 'student%')
          .orderBy('email')
          .select('id', 'email'),
        courses: await trx.from('lms_courses').orderBy('id').limit(3).select('id'),
      }))
    )
    const others = people.users.filter((u: any) => !u.email.startsWith('student1@')).slice(0, 6)
    await tenantContext.run(tenant, () =>
      recordInteractions(
        others.flatMap((user: any, i: number) =>
          people.courses.slice(0, 1 + (i % people.courses.length)).map((course: any) => ({
            user_id: String(user.id),
            item_type: 'courses' as const,
            item_id: String(course.id),
          }))
        ),
        'test'
      )
    )
    const { page } = await open({ phone: true })
    await signInDemo(page, baseUrl, 'Student')
    const answer = await data(page, '/api/v1/ai/recommendations?type=courses&limit=5')
    assert.isAbove(answer.items.length, 0)
    const widget = page.locator('article.widget', { hasText: 'Recommended courses' })
    await widget.locator('ol.campus-recommended > li').first().waitFor()
    const shown = await widget.locator('ol.campus-recommended > li').allInnerTexts()
    assert.lengthOf(shown, answer.items.length)
    // Each by its name (title and code), although student1 cannot read those courses in the LMS.
    const names = await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx
          .from('lms_courses')
          .whereIn(
            'id',
            answer.items.map((item: any) => item.item_id)
          )
          .select('id', 'title', 'code')
      )
    )
    answer.items.forEach((item: any, i: number) => {
      const course = names.find((c: any) => String(c.id) === item.item_id)
      assert.equal(shown[i], `${course.title} (${course.code})`)
      assert.equal(item.label, shown[i])
    })
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.isAtMost(await pageWidth(page), PHONE.width)
    await shot(page, 'campus-ai-home-phone')
  }).timeout(60_000)

  test('in Arabic every campus page reads right to left, with no string left untranslated', async ({
    assert,
  }) => {
    const pages: Array<[string, string[]]> = [
      ['Student', ['/', '/library/loans', '/events/register', '/estore/shop', '/estore/orders']],
      ['Parent', ['/transport/pickups']],
      ['Staff', ['/library/desk', '/hostel/board']],
    ]
    for (const [role, paths] of pages) {
      const { page } = await open({ phone: role !== 'Staff' })
      if (role === 'Staff') await signInStaff(page)
      else await signInDemo(page, baseUrl, role)
      await page.evaluate("localStorage.setItem('oryne.app.locale', 'ar')")
      for (const path of paths) {
        await visit(page, baseUrl, path)
        assert.equal(await page.evaluate('document.documentElement.dir'), 'rtl', path)
        assert.deepEqual(await untranslated(page), [], path)
        assert.deepEqual(await accessibilityProblems(page), [], path)
        if (role !== 'Staff') assert.isAtMost(await pageWidth(page), PHONE.width, path)
      }
      await shot(page, `campus-${role.toLowerCase()}-arabic`)
    }
  }).timeout(180_000)

  test('axe-core ran on every page of the app this spec opened', ({ assert }) => {
    assert.deepEqual(pagesNotCheckedByAxe(browser), [])
  })
})
