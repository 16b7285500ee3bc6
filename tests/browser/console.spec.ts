import { existsSync } from 'node:fs'
import { mkdir, stat, utimes } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { chromium, type Browser, type Page } from 'playwright-core'
import { SOURCE_CHECK_INTERVAL_MS } from '#core/console/console_controller'
import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant } from '#tests/support/tenants'
import { createUser, PASSWORD } from '#tests/support/auth'
// A page recording script errors, CSP refusals and requests leaving the server: the web app's.
import { openApp } from '#tests/support/web'

/** Debian's chromium (.ci/run installs it); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
/** Screenshots of each step, kept as test artefacts (git-ignored). */
const ARTEFACTS = app.makePath('tmp/artefacts/console')

async function signIn(page: Page, baseUrl: string, who: { tenant?: string; email: string }) {
  await page.goto(`${baseUrl}/console`)
  if (who.tenant) {
    await page.getByLabel('School administrator').check()
    await page.getByLabel('School (tenant slug)').fill(who.tenant)
  } else {
    await page.getByLabel('Platform administrator').check()
  }
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTEFACTS}/${name}.png`, fullPage: true })

test.group('Admin console in a browser', (group) => {
  let browser: Browser
  let baseUrl: string
  let tenant: Tenant
  let adminEmail: string

  group.setup(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: the browser suite needs it (apt-get install chromium, as .ci/run does, or set CHROMIUM_PATH)`
      )
    }
    await mkdir(ARTEFACTS, { recursive: true })
    baseUrl = (await listen(app, { host: '127.0.0.1', port: 0 })).url
    tenant = await activeTenant()
    adminEmail = `head@${tenant.slug}.example`
    await createUser(tenant, { email: adminEmail, role: 'TenantAdmin' })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    return () => browser.close()
  })

  test('a tenant admin enables a module, reads its data, and meets the refusals of the API', async ({
    assert,
  }) => {
    const { page, problems, elsewhere } = await openApp(browser, baseUrl)
    await signIn(page, baseUrl, { tenant: tenant.slug, email: adminEmail })
    await page.getByRole('heading', { name: 'Modules' }).waitFor()
    const lms = page.locator('article[data-plugin="lms"]')
    const erp = page.locator('article[data-plugin="erp"]')
    assert.include(await lms.innerText(), 'erp')
    assert.equal(await lms.locator('[data-status]').getAttribute('data-status'), 'not_installed')
    assert.equal(await page.locator('svg[role="img"] g.node[data-plugin="lms"]').count(), 1)
    await shot(page, '01-modules')

    // Enabling LMS brings ERP, its dependency, along (the API's default).
    await lms.getByRole('button', { name: 'Enable lms' }).click()
    await lms.locator('[data-status="enabled"]').waitFor()
    assert.equal(await erp.locator('[data-status]').getAttribute('data-status'), 'enabled')
    assert.include(await page.getByRole('status').first().innerText(), 'lms enabled')
    await shot(page, '02-lms-enabled')

    // A record made through the API shows on the plugin's data page.
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Tenant-ID': tenant.slug },
      body: JSON.stringify({ email: adminEmail, password: PASSWORD }),
    }).then((response) => response.json() as Promise<any>)
    const made = await fetch(`${baseUrl}/api/v1/erp/classes`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Tenant-ID': tenant.slug,
        'Authorization': `Bearer ${login.data.access_token}`,
      },
      body: JSON.stringify({ name: 'Grade 9', grade_level: 9 }),
    })
    assert.equal(made.status, 201)
    await erp.getByRole('link', { name: 'Open erp data' }).click()
    await page.getByRole('heading', { name: 'erp data' }).waitFor()
    await page
      .getByRole('navigation', { name: 'erp resources' })
      .getByRole('link', { name: 'classes', exact: true })
      .click()
    await page.getByTestId('record-count').waitFor()
    assert.equal(await page.getByTestId('record-count').innerText(), '1 record(s)')
    assert.include(await page.locator('table').innerText(), 'Grade 9')
    await shot(page, '03-erp-classes')

    // Disabling ERP while LMS needs it is refused, as the API refuses it.
    await page.getByRole('link', { name: 'Modules' }).click()
    await erp.getByRole('button', { name: 'Disable erp' }).click()
    const refusal = page.getByRole('alert')
    await refusal.waitFor()
    assert.include(await refusal.innerText(), 'ERR_PLUGIN_REQUIRED_BY')
    assert.equal(await erp.locator('[data-status]').getAttribute('data-status'), 'enabled')
    await shot(page, '04-erp-refused')

    // LMS can go; its data stays (the uninstall preview counts its tables), its routes stop answering.
    await lms.getByRole('button', { name: 'Disable lms' }).click()
    await lms.locator('[data-status="disabled"]').waitFor()
    await lms.getByRole('button', { name: 'Preview uninstall of lms' }).click()
    const plan = page.getByRole('article').filter({ hasText: 'Uninstalling lms would drop' })
    await plan.waitFor()
    assert.include(await plan.innerText(), 'courses')
    await shot(page, '05-lms-disabled-preview')

    await page.goto(`${baseUrl}/console/data/lms?resource=courses`)
    await page.getByRole('alert').waitFor()
    assert.include(await page.getByRole('alert').innerText(), 'ERR_PLUGIN_DISABLED')

    assert.deepEqual(problems, [], 'no script error and no Content-Security-Policy violation')
    assert.deepEqual(elsewhere, [], 'no request leaves the server')
    await page.close()
  })

  test('/console serves index.html for client routes and hashed assets for a year', async ({
    assert,
  }) => {
    const index = await fetch(`${baseUrl}/console/users/anything`)
    assert.equal(index.status, 200)
    assert.equal(index.headers.get('cache-control'), 'no-cache')
    assert.include(index.headers.get('content-security-policy')!, "script-src 'self'")
    const html = await index.text()
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    assert.isString(script)
    const asset = await fetch(`${baseUrl}${script}`)
    assert.equal(asset.status, 200)
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    assert.include(asset.headers.get('content-type')!, 'javascript')
    const missing = await fetch(`${baseUrl}/console/assets/..%2F..%2Fpackage.json`)
    assert.equal(missing.status, 404)
    const refused = (await missing.json()) as { error: { code: string } }
    assert.equal(refused.error.code, 'ERR_NOT_FOUND')
  })

  test('outside production an edited source is built on the first load after the check interval', async ({
    assert,
    cleanup,
  }) => {
    // The ETag follows the served index.html's modification time: a new build, a new tag.
    const load = async () => {
      const response = await fetch(`${baseUrl}/console`)
      assert.equal(response.status, 200)
      return response.headers.get('etag')
    }
    await load()
    await sleep(SOURCE_CHECK_INTERVAL_MS)
    const before = await load()
    assert.isString(before)
    const source = app.makePath('console/index.html')
    const { atime, mtime } = await stat(source)
    cleanup(() => utimes(source, atime, mtime))
    await utimes(source, new Date(), new Date())

    assert.equal(await load(), before, 'within the interval the sources are not looked at again')
    await sleep(SOURCE_CHECK_INTERVAL_MS)
    const rebuilt = await load()
    assert.notEqual(rebuilt, before, 'the first load after it builds the edit')
    assert.equal(await load(), rebuilt)
  })
})
