import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { generate } from 'otplib'
import type { Browser, Page } from 'playwright-core'
import { DEMO_PASSWORD } from '#core/plugins/demo'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs } from '#tests/support/access'
import { OTHER_PASSWORD, PASSWORD } from '#tests/support/auth'
import {
  accessibilityProblems,
  demoSchool,
  DESKTOP,
  docsShot,
  openApp,
  pagesNotCheckedByAxe,
  PHONE,
  shot,
  signInApp,
  signInDemo,
  startBrowser,
} from '#tests/support/web'

/*
 * The pages everyone has (docs/web.md): the live inbox, the calendar, the
 * profile (language, two-step verification, personal data), offline use and
 * each role's home page, in headless Chromium against the demo school.
 */

test.group('Web app: pages everyone has', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  let accounts: Record<string, string>

  /** The public API as a user (a bearer token) from the test, to set up and read back. */
  const apiAs = async (token: string, method: string, path: string, body?: object) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        'Authorization': `Bearer ${token}`,
        'X-Tenant-ID': tenant.slug,
        'Content-Type': 'application/json',
        'Accept': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: response.status, body: (await response.json()) as any }
  }
  const tokenOf = async (email: string, password = DEMO_PASSWORD) => {
    const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'X-Tenant-ID': tenant.slug, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    const body = (await response.json()) as any
    if (!body.data?.access_token) throw new Error(`cannot sign in as ${email}: ${body.error?.code}`)
    return body.data.access_token as string
  }
  const goTo = async (page: Page, link: string, heading: string) => {
    const nav = page.locator('#app-nav')
    if (!(await nav.isVisible())) await page.getByRole('button', { name: 'Menu' }).click()
    await nav.getByRole('link', { name: link }).click()
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor()
  }
  const noSideScroll = async (page: Page) =>
    (await page.evaluate('document.documentElement.scrollWidth')) as number

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    const demo = await demoSchool()
    tenant = demo.tenant
    accounts = demo.accounts
    return started.stop
  })

  test('a notification sent by the admin appears without a reload; reading it is saved', async ({
    assert,
  }) => {
    const admin = await signedInAs(tenant, `admin-live@${tenant.slug}.example`, ['TenantAdmin'])
    const teacher = await tokenOf(accounts.Teacher)
    const me = await apiAs(teacher, 'GET', '/app/context')
    const { page, problems, elsewhere } = await openApp(browser, baseUrl)
    await signInDemo(page, baseUrl, 'Teacher')
    await goTo(page, 'Notifications', 'Notifications')
    const badge = page.locator('.app-header .unread-badge')
    await badge.waitFor()
    const before = (await apiAs(teacher, 'GET', '/notifications/unread-count')).body.data.unread

    const sent = await apiAs(admin, 'POST', '/admin/notifications/send', {
      user_ids: [me.body.data.user.id],
      template: 'core.welcome_email',
      data: { name: 'Live Ada', institution: 'Riverside' },
    })
    assert.equal(sent.status, 202, JSON.stringify(sent.body))
    const item = page.locator('ul.notifications li', { hasText: 'Live Ada' })
    await item.waitFor({ timeout: 15_000 })
    await page.getByRole('status').filter({ hasText: 'New notification' }).waitFor()
    assert.include(
      await badge.innerText(),
      String(before + 1),
      'the header badge counts the new one'
    )
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'everyone-notifications-live')

    await item.getByRole('button', { name: /^Mark as read: / }).click()
    await page.locator('ul.notifications li.read', { hasText: 'Live Ada' }).first().waitFor()
    const inbox = await apiAs(teacher, 'GET', '/notifications?per_page=5')
    const stored = inbox.body.data.find((n: any) => n.body.includes('Live Ada'))
    assert.isNotNull(stored.read_at, 'read on the server')
    await page.getByRole('button', { name: 'Mark all as read' }).click()
    await page.locator('.app-header .unread-badge .count.none').waitFor()
    assert.equal((await apiAs(teacher, 'GET', '/notifications/unread-count')).body.data.unread, 0)
    assert.deepEqual(problems, [])
    assert.deepEqual(elsewhere, [])
  }).timeout(120_000)

  test('the calendar shows the timetable, an event, a holiday and the feed address; the agenda at phone width', async ({
    assert,
  }) => {
    const teacher = await tokenOf(accounts.Teacher)
    const today = new Date().toISOString().slice(0, 10)
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
    const known = await apiAs(teacher, 'GET', `/app/calendar?from=${today}&to=${later}`)
    assert.equal(known.status, 200)
    const lesson = known.body.data.entries.find((entry: any) => entry.kind === 'class')
    const event = known.body.data.entries.find((entry: any) => entry.title === 'Sports day')
    assert.exists(lesson, 'the demo teacher has classes')
    assert.exists(event, 'the demo school has a sports day within a month')
    const [holiday] = known.body.data.holidays
    assert.exists(holiday, 'the demo school has a holiday within a month')

    const { page, problems } = await openApp(browser, baseUrl, { viewport: PHONE })
    await signInDemo(page, baseUrl, 'Teacher')
    await goTo(page, 'Calendar', 'Calendar')
    assert.equal(
      await page.getByRole('button', { name: 'Agenda' }).getAttribute('aria-pressed'),
      'true'
    )
    await page.locator('ol.day-list').getByText('Sports day').first().waitFor()
    await page.locator('ol.day-list').getByText(lesson.title).first().waitFor()
    await page.locator('ol.day-list .holiday', { hasText: holiday.title }).first().waitFor()
    assert.isAtMost(await noSideScroll(page), PHONE.width)
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'everyone-calendar-phone')

    await page.setViewportSize(DESKTOP)
    await page.getByRole('button', { name: 'Month' }).click()
    await page.locator('table.month').getByText(lesson.title).first().waitFor()
    await page.getByRole('button', { name: 'Week' }).click()
    await page.locator('ol.day-list').getByText(lesson.title).first().waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'everyone-calendar-week')

    await page.getByRole('button', { name: 'Get my feed address' }).click()
    const address = await page.getByLabel('Feed address').inputValue()
    assert.match(address, /\/api\/v1\/events\/calendar\/[\w-]+\.ics$/)
    // A calendar app finds the school by its domain; here the address is 127.0.0.1, so the header says.
    const feed = await fetch(address.replace(/^https?:\/\/[^/]+/, baseUrl), {
      headers: { 'X-Tenant-ID': tenant.slug },
    })
    assert.equal(feed.status, 200)
    assert.include(await feed.text(), 'BEGIN:VCALENDAR')
    assert.deepEqual(problems, [])
  }).timeout(120_000)

  test('the profile switches the app to Arabic (right to left) and back', async ({ assert }) => {
    const { page, problems } = await openApp(browser, baseUrl)
    await signInDemo(page, baseUrl, 'Student')
    await goTo(page, 'Profile', 'Profile')
    await page.getByLabel('Language of the app on this device').selectOption('ar')
    await page.getByRole('heading', { name: 'الملف الشخصي', level: 1 }).waitFor()
    assert.equal(await page.evaluate('document.documentElement.dir'), 'rtl')
    assert.equal(await page.evaluate('document.documentElement.lang'), 'ar')
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'everyone-profile-arabic')
    await page.getByLabel('لغة التطبيق على هذا الجهاز').selectOption('en')
    await page.getByRole('heading', { name: 'Profile', level: 1 }).waitFor()
    assert.equal(await page.evaluate('document.documentElement.dir'), 'ltr')
    assert.deepEqual(problems, [])
  }).timeout(60_000)

  test('the password is changed from the profile with the keyboard alone; the old one stops working', async ({
    assert,
  }) => {
    const email = `password-web@${tenant.slug}.example`
    await signedInAs(tenant, email, ['Parent'])
    const { page, problems } = await openApp(browser, baseUrl)
    await signInApp(page, baseUrl, { school: tenant.slug, email, password: PASSWORD })
    await goTo(page, 'Profile', 'Profile')
    await page.getByLabel('Current password').focus()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press('Tab')
    await page.keyboard.type(OTHER_PASSWORD)
    await page.keyboard.press('Enter')
    await page.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor()
    // Still signed in here (the change answered a new pair), on the new password only.
    await goTo(page, 'Calendar', 'Calendar')
    await assert.rejects(() => tokenOf(email, PASSWORD))
    assert.isString(await tokenOf(email, OTHER_PASSWORD))
    assert.deepEqual(problems, [])
  }).timeout(60_000)

  test('two-step verification is turned on from the profile, then asked at sign-in; the personal data downloads', async ({
    assert,
  }) => {
    const email = `mfa-web@${tenant.slug}.example`
    await signedInAs(tenant, email, ['Student'])
    const who = { school: tenant.slug, email, password: PASSWORD }
    const { page, problems } = await openApp(browser, baseUrl, { viewport: PHONE })
    await signInApp(page, baseUrl, who)
    await goTo(page, 'Profile', 'Profile')
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click()
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor()
    const secret = (await page.locator('code[data-secret]').innerText()).trim()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'everyone-profile-mfa-enrol')
    await page.getByLabel('6-digit code').fill(await generate({ secret }))
    await page.getByRole('button', { name: 'Confirm' }).click()
    await page.getByRole('list', { name: 'Recovery codes' }).waitFor()
    assert.isAtLeast(
      await page.getByRole('list', { name: 'Recovery codes' }).locator('li').count(),
      1
    )
    const token = await page.evaluate(
      "JSON.parse(localStorage.getItem('oryne.app.session')).access_token"
    )
    const status = await apiAs(token as string, 'GET', '/auth/mfa')
    assert.isTrue(status.body.data.enabled, 'on for the server')

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download my data' }).click()
    const file = await download
    const exported = JSON.parse(await readFile((await file.path())!, 'utf8'))
    assert.include(JSON.stringify(exported), email)
    await page.getByRole('status').filter({ hasText: 'Your data was downloaded.' }).waitFor()

    // Signing in again asks for the code; the one just used is spent, so wait for the next.
    await page.getByRole('button', { name: 'Menu' }).click()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('School').waitFor()
    await sleep(30_000 - (Date.now() % 30_000) + 500)
    await page.getByLabel('School').fill(tenant.slug)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByLabel('Authenticator or recovery code').fill(await generate({ secret }))
    await page.getByRole('button', { name: 'Verify' }).click()
    // Signed in again, on the page the address still names.
    await page.getByRole('heading', { name: 'Profile', level: 1 }).waitFor()
    await page
      .getByRole('region', { name: 'Two-step verification' })
      .getByText(/^On since /)
      .waitFor()
    assert.deepEqual(problems, [])
  }).timeout(120_000)

  test('installable and readable offline; signing out empties the cached answers', async ({
    assert,
  }) => {
    // Something in the inbox to read offline.
    const admin = await signedInAs(tenant, `admin-offline@${tenant.slug}.example`, ['TenantAdmin'])
    const teacher = await tokenOf(accounts.Teacher)
    const me = await apiAs(teacher, 'GET', '/app/context')
    const sent = await apiAs(admin, 'POST', '/admin/notifications/send', {
      user_ids: [me.body.data.user.id],
      template: 'core.welcome_email',
      data: { name: 'Offline Ada', institution: 'Riverside' },
    })
    assert.equal(sent.status, 202, JSON.stringify(sent.body))
    const { page } = await openApp(browser, baseUrl)
    const context = page.context()
    await signInDemo(page, baseUrl, 'Teacher')
    // The installed app starts at /app/ (the worker's scope; /app itself is outside it).
    await page.goto(`${baseUrl}/app/`)
    await page.locator('#page-title').waitFor()
    const manifest: any = await page.evaluate(
      "fetch(document.querySelector('link[rel=manifest]').href).then((answer) => answer.json())"
    )
    assert.equal(manifest.start_url, '/app/')
    assert.includeMembers(
      manifest.icons.map((icon: any) => icon.sizes),
      ['192x192', '512x512']
    )
    for (const icon of manifest.icons) {
      const answer = await fetch(new URL(icon.src, baseUrl))
      assert.equal(answer.status, 200, icon.src)
    }
    // The worker the app registered (registering again answers its registration, or why it failed).
    const worker = await page.evaluate(`Promise.race([
      navigator.serviceWorker.ready.then((ready) => ready.active.state),
      new Promise((resolve) => setTimeout(resolve, 20000)).then(() =>
        navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).then(
          (registration) => 'not ready: ' + JSON.stringify([!!registration.installing, !!registration.waiting, !!registration.active]),
          (error) => 'refused: ' + error.message
        )
      ),
    ])`)
    assert.equal(worker, 'activated')
    // Under the worker's control now: what the user reads is kept for offline use.
    await page.reload()
    await page.locator('#page-title').waitFor()
    await goTo(page, 'Calendar', 'Calendar')
    // A class of the teacher's timetable (kind-class), read offline below.
    await page.locator('table.month .entry.kind-class').first().waitFor()
    const lesson = await page.locator('table.month .entry.kind-class strong').first().innerText()
    await goTo(page, 'Notifications', 'Notifications')
    await page.locator('ul.notifications li').first().waitFor()
    const subject = await page.locator('ul.notifications li strong').first().innerText()

    await context.setOffline(true)
    await page.reload()
    await page.locator('#page-title').waitFor()
    await page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor()
    await page.locator('ul.notifications li', { hasText: subject }).first().waitFor()
    await goTo(page, 'Calendar', 'Calendar')
    await page.locator('table.month .entry.kind-class', { hasText: lesson }).first().waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'everyone-offline-calendar')
    await context.setOffline(false)

    const cachedNames = () =>
      page.evaluate(
        "caches.keys().then((names) => names.filter((name) => name.startsWith('oryne-data-')))"
      )
    const kept = (): Promise<number> =>
      page.evaluate(`caches.keys().then(async (names) => {
        let count = 0
        for (const name of names.filter((name) => name.startsWith('oryne-data-')))
          count += (await (await caches.open(name)).keys()).length
        return count
      })`)
    assert.isAbove(await kept(), 0)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('School').waitFor()
    await page.waitForFunction(
      "caches.keys().then((names) => names.every((name) => !name.startsWith('oryne-data-')))"
    )
    assert.deepEqual(await cachedNames(), [])
  }).timeout(120_000)

  test('on a shared device the next person never gets the previous one’s saved answers', async ({
    assert,
  }) => {
    const ids: Record<string, string> = {}
    for (const role of ['Teacher', 'Student']) {
      const token = await tokenOf(accounts[role])
      ids[role] = (await apiAs(token, 'GET', '/app/context')).body.data.user.id
    }
    const { page } = await openApp(browser, baseUrl)
    const savedFor = (): Promise<string[]> =>
      page.evaluate(`caches.keys().then(async (names) => {
        const urls = []
        for (const name of names.filter((name) => name.startsWith('oryne-data-')))
          for (const request of await (await caches.open(name)).keys()) urls.push(request.url)
        return urls
      })`)
    const visit = async () => {
      await page.goto(`${baseUrl}/app/`)
      await page.locator('#page-title').waitFor()
      await page.evaluate('navigator.serviceWorker.ready')
      await page.goto(`${baseUrl}/app/notifications`)
      await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor()
      await page.locator('ul.notifications, p.empty').first().waitFor()
    }
    await signInDemo(page, baseUrl, 'Teacher')
    await visit()
    assert.isTrue((await savedFor()).some((url) => url.includes(ids.Teacher)))

    await page.getByRole('button', { name: 'Sign out' }).click()
    await signInDemo(page, baseUrl, 'Student')
    await visit()
    const saved = await savedFor()
    assert.isTrue(saved.some((url) => url.includes(ids.Student)))
    assert.isFalse(
      saved.some((url) => url.includes(ids.Teacher)),
      saved.join('\n')
    )

    // Offline, the student's own saved page: their name, not the teacher's.
    await page.context().setOffline(true)
    await page.goto(`${baseUrl}/app/`).catch(() => undefined)
    await page.locator('#page-title').waitFor()
    assert.equal(await page.locator('h1').innerText(), 'Hello, Student 1')
    await page.context().setOffline(false)
  }).timeout(120_000)

  test('each role’s home page at desktop and phone width', async ({ assert }) => {
    const staff = `staff-web@${tenant.slug}.example`
    const admin = `admin-web@${tenant.slug}.example`
    await signedInAs(tenant, staff, ['Staff'])
    await signedInAs(tenant, admin, ['TenantAdmin'])
    const people: Array<[string, { email: string; password: string }]> = [
      ['teacher', { email: accounts.Teacher, password: DEMO_PASSWORD }],
      ['student', { email: accounts.Student, password: DEMO_PASSWORD }],
      ['parent', { email: accounts.Parent, password: DEMO_PASSWORD }],
      ['staff', { email: staff, password: PASSWORD }],
      ['admin', { email: admin, password: PASSWORD }],
    ]
    // One sign-in per role: the desktop page, then the same page narrowed to a phone's width.
    for (const [role, who] of people) {
      const { page, problems } = await openApp(browser, baseUrl, { viewport: DESKTOP })
      await signInApp(page, baseUrl, { school: tenant.slug, ...who })
      assert.match(await page.locator('h1').innerText(), /^Hello, /)
      await page.locator('.widget [aria-busy]').first().waitFor({ state: 'detached' })
      await page.locator('.app-header .unread-badge').waitFor()
      for (const [width, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        await page.setViewportSize(viewport)
        if (width === 'phone') await page.getByRole('button', { name: 'Menu' }).waitFor()
        assert.isAtMost(await noSideScroll(page), viewport.width, `${role} at ${width}`)
        assert.deepEqual(await accessibilityProblems(page), [], `${role} at ${width}`)
        await docsShot(page, `everyone-home-${role}-${width}`, `web-home-${role}-${width}`)
      }
      assert.deepEqual(problems, [], role)
      await page.context().close()
    }
  }).timeout(240_000)

  test('axe-core ran on every page of the app this spec opened', ({ assert }) => {
    assert.deepEqual(pagesNotCheckedByAxe(browser), [])
  })
})
