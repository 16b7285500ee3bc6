import { existsSync } from 'node:fs'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { chromium, type Browser } from 'playwright-core'
import { listen } from '#core/http/listen'

/** Debian's chromium (.ci/run installs it); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

test.group('API reference in a browser', (group) => {
  let browser: Browser
  let baseUrl: string

  group.setup(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: the browser suite needs it (apt-get install chromium, as .ci/run does, or set CHROMIUM_PATH)`
      )
    }
    // A port of its own: the functional suite's server may be listening in this process too.
    baseUrl = (await listen(app, { host: '127.0.0.1', port: 0 })).url
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    return () => browser.close()
  })

  test('/docs renders the OpenAPI document and lists the auth endpoints', async ({ assert }) => {
    const page = await browser.newPage()
    const problems: string[] = []
    const elsewhere: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    // Everything the page needs comes from Oryne itself: nothing else is even tried.
    await page.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith(baseUrl) || url.startsWith('data:')) return route.continue()
      elsewhere.push(url)
      return route.abort()
    })

    const response = await page.goto(`${baseUrl}/docs`)
    assert.equal(response?.status(), 200)
    // Tags start folded; opening the two auth tags shows their operations.
    for (const tag of ['Auth', 'Platform: auth']) {
      const header = page.locator(`.opblock-tag[data-tag="${tag}"]`)
      await header.first().waitFor({ timeout: 60_000 })
      await header.first().click()
    }
    // Swagger UI renders the operations tag by tag: wait for each one rather than read a snapshot.
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/auth/me',
      '/api/v1/platform/auth/login',
    ]) {
      const listed = page.locator(`.opblock-summary-path[data-path="${path}"]`)
      await listed.first().waitFor({ timeout: 30_000 })
      assert.isAbove(await listed.count(), 0, `${path} is listed`)
    }
    assert.include(await page.locator('.info .title').innerText(), 'Oryne API')
    assert.deepEqual(problems, [], 'no script error and no Content-Security-Policy violation')
    assert.deepEqual(elsewhere, [], 'no request leaves the server')
    await page.close()
  })
})
