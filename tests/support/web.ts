import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import app from '@adonisjs/core/services/app'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { listen } from '#core/http/listen'
import { DEMO_PASSWORD, seedDemo } from '#core/plugins/demo'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant, uniqueSlug } from '#tests/support/tenants'

/*
 * The web app in headless Chromium (docs/web.md): a server on a free port, a
 * browser, pages that record script errors and requests leaving the server,
 * sign-in, screenshots and the axe-core accessibility check.
 */

/** Debian's chromium (.ci/run installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
/** Screenshots of each step, kept as test artefacts (git-ignored). */
export const WEB_ARTEFACTS = app.makePath('tmp/artefacts/web')

export const PHONE = { width: 360, height: 740 }
export const DESKTOP = { width: 1280, height: 900 }

/** Starts the HTTP server and Chromium; stop() closes the browser. */
export async function startBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser suite needs it (apt-get install chromium, as .ci/run does, or set CHROMIUM_PATH)`
    )
  }
  await mkdir(WEB_ARTEFACTS, { recursive: true })
  const baseUrl = (await listen(app, { host: '127.0.0.1', port: 0 })).url
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  return { browser, baseUrl, stop: () => browser.close() }
}

export type AppPage = { page: Page; problems: string[]; elsewhere: string[] }

/**
 * A fresh browser context (its own storage: one person on one device) and a
 * page that records script errors, Content-Security-Policy refusals (an inline
 * style or script the served policy blocks) and any request leaving the server.
 */
export async function openApp(
  browser: Browser,
  baseUrl: string,
  options: {
    viewport?: { width: number; height: number }
    locale?: string
    /** The device's time zone (IANA), when a test needs it to differ from the school's. */
    timezoneId?: string
  } = {}
): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    locale: options.locale ?? 'en-GB',
    timezoneId: options.timezoneId,
    // No transitions: axe reads colours at rest, not halfway through a hover or focus change.
    reducedMotion: 'reduce',
  })
  const page = await context.newPage()
  const seen = coverageOf(browser)
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && frame.url().startsWith(`${baseUrl}/app`))
      seen.visited.add(pathPattern(frame.url()))
  })
  const problems: string[] = []
  const elsewhere: string[] = []
  page.on('console', (message) => {
    // A refused API call is logged by Chromium as a failed resource load: that is the page working.
    if (
      message.type() === 'error' &&
      !message.text().includes('the server responded with a status')
    )
      problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  await page.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith(baseUrl) || url.startsWith('data:') || url.startsWith('blob:'))
      return route.continue()
    elsewhere.push(url)
    return route.abort()
  })
  return { page, problems, elsewhere }
}

/** Signs in at /app with a school's account; waits for the signed-in shell. */
export async function signInApp(
  page: Page,
  baseUrl: string,
  who: { school: string; email: string; password: string }
) {
  await page.goto(`${baseUrl}/app`)
  await page.getByLabel('School').fill(who.school)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.locator('#page-title').waitFor({ timeout: 30_000 })
}

export function shot(page: Page, name: string) {
  return page.screenshot({ path: `${WEB_ARTEFACTS}/${name}.png`, fullPage: true })
}

/** The docs' screenshots (docs/screenshots), written by the browser suite when asked. */
export const DOCS_SCREENSHOTS = app.makePath('docs/screenshots')

/**
 * A step's screenshot, also written to docs/screenshots/<docsName>.png when
 * ORYNE_DOCS_SCREENSHOTS=1 (docs/web.md, "Roles and what each sees").
 */
export async function docsShot(page: Page, name: string, docsName: string) {
  await shot(page, name)
  if (process.env.ORYNE_DOCS_SCREENSHOTS === '1')
    await page.screenshot({ path: `${DOCS_SCREENSHOTS}/${docsName}.png`, fullPage: true })
}

let axeSource: string | undefined

/** The app's pages a browser opened and those axe checked (paths, numeric ids as `:id`). */
const axeCoverage = new WeakMap<Browser, { visited: Set<string>; checked: Set<string> }>()

function coverageOf(browser: Browser | null) {
  if (!browser) return { visited: new Set<string>(), checked: new Set<string>() }
  let held = axeCoverage.get(browser)
  if (!held) axeCoverage.set(browser, (held = { visited: new Set(), checked: new Set() }))
  return held
}

function pathPattern(url: string) {
  const path = new URL(url).pathname.replaceAll(/\/\d+(?=\/|$)/g, '/:id').replace(/\/$/, '')
  return path || '/'
}

/**
 * The app's pages (paths, ids as `:id`) that pages of `browser` opened and
 * accessibilityProblems never checked: a spec ends by asserting there are none,
 * so axe runs on every page the suite visits.
 */
export function pagesNotCheckedByAxe(browser: Browser): string[] {
  const { visited, checked } = coverageOf(browser)
  return [...visited].filter((path) => !checked.has(path)).sort()
}

/**
 * Presses Tab until `target` has the focus (from wherever the focus is): the
 * control is reached by the keyboard alone, in the page's tab order. Fails
 * after `limit` presses.
 */
export async function tabTo(page: Page, target: Locator, limit = 300) {
  await target.waitFor()
  for (let presses = 0; presses <= limit; presses++) {
    if (await target.evaluate((element: any) => element.matches(':focus'))) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab did not reach ${target} in ${limit} presses`)
}

/**
 * axe-core's serious and critical violations on the page as it is (WCAG 2 A
 * and AA rules), each as `<rule>: <target>`; empty when there are none.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  axeSource ??= await readFile(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8'
  )
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a script tag would be refused).
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource)
  const violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> =
    await page.evaluate(async () => {
      const scope = globalThis as any
      const result = await scope.axe.run(scope.document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      })
      return result.violations
    })
  coverageOf(page.context().browser()).checked.add(pathPattern(page.url()))
  return [
    ...violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .flatMap((violation) =>
        violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`)
      ),
    ...(await keyboardProblems(page)),
  ]
}

/**
 * Keyboard-only use of the page as it is: each visible, enabled link, button,
 * field and `tabindex="0"` element must take the focus by Tab (once round the
 * page's tab order; of a radio group one radio, the arrow keys move within it;
 * inside an open modal dialog, its controls only), and no element may reorder
 * the tab order with a positive tabindex. Each problem as `keyboard: <what>`.
 * The focus and scroll position are put back afterwards.
 */
export async function keyboardProblems(page: Page): Promise<string[]> {
  const stops: number = await page.evaluate(() => {
    const scope = globalThis as any
    const doc = scope.document
    const modal = doc.querySelector('dialog[open]:modal')
    const controls = [
      ...(modal ?? doc).querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]'
      ),
    ].filter(
      (element: any) =>
        !element.disabled &&
        element.type !== 'hidden' &&
        element.getAttribute('tabindex') !== '-1' &&
        !element.closest('[inert]') &&
        // Rendered and visible: not in a closed <details>, a hidden menu or a visibility:hidden box.
        element.checkVisibility({ visibilityProperty: true })
    )
    const reached = new Set()
    const listener = (event: any) => reached.add(event.target)
    const before = doc.activeElement
    const scroll = [scope.scrollX, scope.scrollY]
    // Tab from the top: a focus point before everything (or at the start of the open dialog).
    const start = doc.createElement('span')
    start.tabIndex = -1
    ;(modal ?? doc.body).prepend(start)
    start.focus({ preventScroll: true })
    doc.addEventListener('focusin', listener, true)
    scope.__oryneKeyboard = { controls, reached, listener, before, scroll, start }
    // Tab stops per control: a date or time field takes one per part (day, month, year…).
    const parts: Record<string, number> = {
      'date': 3,
      'datetime-local': 6,
      'time': 3,
      'month': 2,
      'week': 2,
    }
    return controls.reduce((sum: number, element: any) => sum + (parts[element.type] ?? 1), 0)
  })
  // From the top, ten presses at a time, until every control was reached (or twice the stops counted:
  // Chromium may add a stop of its own, such as a scrolling box).
  const limit = stops * 2 + 10
  for (let presses = 0; presses < limit; presses += 10) {
    for (let press = 0; press < 10; press++) await page.keyboard.press('Tab')
    const done = await page.evaluate(() => {
      const { controls, reached } = (globalThis as any).__oryneKeyboard
      return controls.every((element: any) => element.type === 'radio' || reached.has(element))
    })
    if (done) break
  }
  return page.evaluate(() => {
    const scope = globalThis as any
    const doc = scope.document
    const { controls, reached, listener, before, scroll, start } = scope.__oryneKeyboard
    delete scope.__oryneKeyboard
    doc.removeEventListener('focusin', listener, true)
    start.remove()
    const groupOf = (element: any) => `${element.form?.id ?? ''}/${element.name}`
    const radioGroups = new Set(
      [...reached]
        .filter((element: any) => element.type === 'radio')
        .map((element: any) => groupOf(element))
    )
    const describe = (element: any) => {
      const name = (
        element.getAttribute('aria-label') ??
        element.labels?.[0]?.textContent ??
        element.textContent ??
        ''
      )
        .trim()
        .replaceAll(/\s+/g, ' ')
        .slice(0, 60)
      return `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''} "${name}"`
    }
    const problems = controls
      .filter(
        (element: any) =>
          !reached.has(element) && !(element.type === 'radio' && radioGroups.has(groupOf(element)))
      )
      .map((element: any) => `keyboard: not reached by Tab: ${describe(element)}`)
    for (const element of doc.querySelectorAll('[tabindex]'))
      if (Number(element.getAttribute('tabindex')) > 0)
        problems.push(`keyboard: positive tabindex: ${describe(element)}`)
    if (before && before !== doc.body && before.isConnected) before.focus({ preventScroll: true })
    else doc.activeElement?.blur?.()
    scope.scrollTo(scroll[0], scroll[1])
    return problems
  })
}

let demo: Promise<{ tenant: Tenant; accounts: Record<string, string> }> | undefined

/**
 * The demo school (`oryne tenant seed-demo`: every demo plugin with its sample
 * data, teacher1/student1/parent1 signing in with DEMO_PASSWORD), seeded once
 * per test process under a slug of its own. `accounts` maps a role to the
 * email of its first demo account.
 */
export function demoSchool() {
  demo ??= (async () => {
    const tenant = await activeTenant({ slug: uniqueSlug('demo') })
    const plugins = await app.container.make('oryne.plugins')
    const seeded = await seedDemo(plugins, tenant, { actor: 'test' })
    const accounts = Object.fromEntries(
      seeded.accounts.map((account) => [account.role, account.email])
    )
    return { tenant, accounts }
  })()
  return demo
}

/** Signs in as the demo school's first account of `role` (Teacher, Student, Parent…). */
export async function signInDemo(page: Page, baseUrl: string, role: string) {
  const { tenant, accounts } = await demoSchool()
  if (!accounts[role]) throw new Error(`The demo school has no ${role} account with a password`)
  await signInApp(page, baseUrl, {
    school: tenant.slug,
    email: accounts[role],
    password: DEMO_PASSWORD,
  })
}
