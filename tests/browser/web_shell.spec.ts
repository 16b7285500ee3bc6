import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Browser } from 'playwright-core'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant } from '#tests/support/tenants'
import { createUser, PASSWORD } from '#tests/support/auth'
import {
  accessibilityProblems,
  keyboardProblems,
  openApp,
  pagesNotCheckedByAxe,
  PHONE,
  shot,
  signInApp,
  signInDemo,
  startBrowser,
} from '#tests/support/web'

test.group('Web app shell in a browser', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  const teacher = () => ({
    school: tenant.slug,
    email: `teacher@${tenant.slug}.example`,
    password: PASSWORD,
  })

  group.setup(async () => {
    const started = await startBrowser()
    browser = started.browser
    baseUrl = started.baseUrl
    tenant = await activeTenant()
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(tenant, ['notes'], { actor: 'test' })
    await createUser(tenant, { email: teacher().email, role: 'Teacher' })
    await createUser(tenant, { email: `student@${tenant.slug}.example`, role: 'Student' })
    return started.stop
  })

  test('a teacher signs in, sees the plugin’s navigation and widget, and opens its page', async ({
    assert,
  }) => {
    const { page, problems, elsewhere } = await openApp(browser, baseUrl)
    await signInApp(page, baseUrl, teacher())
    assert.match(await page.locator('h1').innerText(), /^Hello, /)
    const nav = page.getByRole('navigation', { name: 'Main' }).first()
    await nav.getByRole('link', { name: 'Notes board' }).waitFor()
    await page.getByRole('heading', { name: 'Latest notes' }).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'shell-teacher-home')

    await nav.getByRole('link', { name: 'Notes board' }).click()
    await page.waitForURL(`${baseUrl}/app/notes/board`)
    await page.getByRole('heading', { name: 'Notes board', level: 1 }).waitFor()
    assert.equal(await page.locator('#main').getByRole('status').first().innerText(), 'No notes')
    assert.deepEqual(await accessibilityProblems(page), [])

    // A reload keeps the session (localStorage) and the address.
    await page.reload()
    await page.getByRole('heading', { name: 'Notes board', level: 1 }).waitFor()
    assert.deepEqual(problems, [])
    assert.deepEqual(elsewhere, [])
  })

  test('a student sees no entry the plugin addresses to note readers', async ({ assert }) => {
    const { page } = await openApp(browser, baseUrl)
    await signInApp(page, baseUrl, {
      school: tenant.slug,
      email: `student@${tenant.slug}.example`,
      password: PASSWORD,
    })
    assert.equal(await page.getByRole('link', { name: 'Notes board' }).count(), 0)
    await page.goto(`${baseUrl}/app/no-such-plugin/page`)
    await page.getByRole('alert').waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
  })

  test('a wrong password is refused in words, with its code; nothing is stored', async ({
    assert,
  }) => {
    const { page } = await openApp(browser, baseUrl)
    await page.goto(`${baseUrl}/app`)
    await page.getByLabel('School').fill(tenant.slug)
    await page.getByLabel('Email').fill(teacher().email)
    await page.getByLabel('Password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    assert.include(await alert.innerText(), 'ERR_')
    // The sign-in page, with its refusal shown, passes axe too (every page, signed in or not).
    assert.deepEqual(await accessibilityProblems(page), [])
    assert.isNull(await page.evaluate("localStorage.getItem('oryne.app.session')"))
  })

  test('at phone width the menu opens and closes; Arabic is right to left', async ({ assert }) => {
    const { page } = await openApp(browser, baseUrl, { viewport: PHONE })
    await signInApp(page, baseUrl, teacher())
    const menu = page.getByRole('button', { name: 'Menu' })
    assert.equal(await menu.getAttribute('aria-expanded'), 'false')
    const navLink = page.locator('#app-nav').getByRole('link', { name: 'Notes board' })
    assert.isFalse(await navLink.isVisible())
    await menu.focus()
    await page.keyboard.press('Enter')
    assert.equal(await menu.getAttribute('aria-expanded'), 'true')
    await navLink.waitFor()
    const width: number = await page.evaluate('document.documentElement.scrollWidth')
    assert.isAtMost(width, PHONE.width)
    await shot(page, 'shell-phone-menu')

    await page.evaluate("localStorage.setItem('oryne.app.locale', 'ar')")
    await page.reload()
    await page.locator('#page-title').waitFor()
    assert.equal(await page.evaluate('document.documentElement.dir'), 'rtl')
    await page.getByRole('button', { name: 'القائمة' }).click()
    await page.locator('#app-nav').getByRole('link', { name: 'لوحة الملاحظات' }).waitFor()
    assert.deepEqual(await accessibilityProblems(page), [])
    await shot(page, 'shell-phone-arabic')
  })

  test('the skip link is the first stop of the keyboard and leads to the content', async ({
    assert,
  }) => {
    const { page } = await openApp(browser, baseUrl)
    await signInApp(page, baseUrl, teacher())
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content')
    await page.keyboard.press('Enter')
    assert.equal(await page.evaluate('document.activeElement?.id'), 'main')

    // The keyboard check run with axe on every page finds a control that reorders the tab order.
    assert.deepEqual(await keyboardProblems(page), [])
    await page.evaluate(`document.querySelector('#main').insertAdjacentHTML(
      'beforeend', '<button type="button" tabindex="2">Jump</button>')`)
    assert.deepEqual(await keyboardProblems(page), ['keyboard: positive tabindex: button "Jump"'])
  })

  test('each demo account with a password lands on its own home in the demo school', async ({
    assert,
  }) => {
    for (const role of ['Teacher', 'Student', 'Parent']) {
      const { page, problems } = await openApp(browser, baseUrl)
      await signInDemo(page, baseUrl, role)
      assert.include(await page.locator('.muted').first().innerText(), role.toLowerCase())
      assert.deepEqual(problems, [])
      await page.context().close()
    }
  }).timeout(120_000)

  test('axe-core ran on every page of the app this spec opened', ({ assert }) => {
    assert.deepEqual(pagesNotCheckedByAxe(browser), [])
  })
})
