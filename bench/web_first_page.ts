/*
 * How heavy and how fast the web app's first page is (docs/web.md, "Fast"),
 * in headless Chromium, each run in a fresh browser context (nothing cached):
 * - the JavaScript and CSS the first page (/app, signed out) loads, as gzip
 *   would send them (budget: 150 KB of JavaScript);
 * - time to usable: from navigation until the sign-in form takes typing, then
 *   from pressing "Sign in" until the home page's heading is shown (a demo
 *   teacher with every demo plugin enabled);
 * side by side with two baselines measured in the same run: the admin
 * console's first page (its sign-in form), and a bare HTML page with the same
 * three fields served by node:http. BENCH_WEB_RUNS (10) sets the runs.
 */
process.env.LOG_LEVEL ??= 'warn'
// Every run is a fresh visitor from one address: the anonymous budget would run out.
process.env.ORYNE_RATE_LIMIT_ANONYMOUS ??= '1000000/1h'

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startOryne } from './support/oryne.js'
import { summarize } from './support/stats.js'
import { loadAverage, machineFacts } from './support/report.js'

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 10)
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const JS_BUDGET_KB = 150

const BARE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main><h1>Sign in</h1>
<form><label>School <input name="school"></label><label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label><button>Sign in</button></form></main></body></html>`

type Weight = { js: number; css: number; files: number }

/** Opens `url` in a fresh context; the gzip size of its scripts and styles, and ms until `ready`. */
async function firstPage(
  browser: Browser,
  url: string,
  ready: (page: Page) => Promise<unknown>,
  then?: (page: Page) => Promise<number>
) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const bodies: Array<Promise<{ type: string; bytes: number }>> = []
  page.on('response', (response) => {
    const type = response.request().resourceType()
    if (type === 'script' || type === 'stylesheet')
      bodies.push(
        response
          .body()
          .then((body) => ({ type, bytes: gzipSync(body).length }))
          .catch(() => ({ type, bytes: 0 }))
      )
  })
  const started = performance.now()
  await page.goto(url)
  await ready(page)
  const usable = performance.now() - started
  // What the first page loaded, apart from what signing in loads next.
  const first = bodies.length
  const after = then ? await then(page) : null
  const weights = await Promise.all(bodies)
  const weigh = (list: typeof weights): Weight => ({
    js: list.filter((w) => w.type === 'script').reduce((sum, w) => sum + w.bytes, 0),
    css: list.filter((w) => w.type === 'stylesheet').reduce((sum, w) => sum + w.bytes, 0),
    files: list.length,
  })
  await context.close()
  return {
    usable,
    after,
    weight: weigh(weights.slice(0, first)),
    home: weigh(weights.slice(first)),
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const ms = (values: number[]) => {
  const s = summarize(values)
  return `${s.p50.toFixed(0)} ms / ${s.p95.toFixed(0)} ms`
}

const oryne = await startOryne('web')
const bare = createServer((_, response) => {
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(BARE_PAGE)
})
let browser: Browser | undefined
try {
  const { listen } = await import('#core/http/listen')
  const { default: tenancy } = await import('#core/services/tenancy')
  const { seedDemo, DEMO_PASSWORD } = await import('#core/plugins/demo')
  const listening = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  const baseUrl = listening.url
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`

  const slug = `bench-web-${Date.now().toString(36)}`
  const created = await tenancy.create(
    { slug, name: 'Bench School', adminEmail: `admin@${slug}.example` },
    'bench'
  )
  const { tenant } = await tenancy.provisionNow(created.id, 'bench')
  const plugins = await oryne.app.container.make('oryne.plugins')
  const seeded = await seedDemo(plugins, tenant, { actor: 'bench' })
  const teacher = seeded.accounts.find((account) => account.role === 'Teacher')!

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  // The first request to /app and /console builds the bundles: not part of any run.
  const warm = await browser.newPage()
  await warm.goto(`${baseUrl}/app`)
  await warm.getByLabel('School').waitFor({ timeout: 300_000 })
  await warm.goto(`${baseUrl}/console`)
  await warm.getByLabel('Email').waitFor({ timeout: 300_000 })
  await warm.close()

  const signInForm = (page: Page) => page.getByLabel('Password').waitFor()
  const signIn = async (page: Page) => {
    await page.getByLabel('School').fill(tenant.slug)
    await page.getByLabel('Email').fill(teacher.email)
    await page.getByLabel('Password').fill(DEMO_PASSWORD)
    const pressed = performance.now()
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('#page-title').waitFor({ timeout: 60_000 })
    return performance.now() - pressed
  }

  const app = {
    usable: [] as number[],
    home: [] as number[],
    weight: null as Weight | null,
    homeWeight: null as Weight | null,
  }
  const consolePage = { usable: [] as number[], weight: null as Weight | null }
  const barePage = { usable: [] as number[], weight: null as Weight | null }
  for (let run = 0; run < RUNS; run++) {
    const web = await firstPage(browser, `${baseUrl}/app`, signInForm, signIn)
    app.usable.push(web.usable)
    app.home.push(web.after!)
    app.weight ??= web.weight
    app.homeWeight ??= web.home
    const admin = await firstPage(browser, `${baseUrl}/console`, signInForm)
    consolePage.usable.push(admin.usable)
    consolePage.weight ??= admin.weight
    const plain = await firstPage(browser, bareUrl, signInForm)
    barePage.usable.push(plain.usable)
    barePage.weight ??= plain.weight
  }

  const facts = machineFacts()
  console.log(
    `\nWeb app first page, ${RUNS} runs each, fresh browser context per run (headless Chromium)`
  )
  console.log(
    `Machine: ${facts.cpu}, ${facts.cores} cores, ${facts.memory}, Node ${facts.node}, ${facts.date}; load ${loadAverage()}\n`
  )
  const rows = [
    ['', 'JS (gzip)', 'CSS (gzip)', 'files', 'sign-in usable p50 / p95', 'home after sign-in'],
    [
      'web app /app',
      kb(app.weight!.js),
      kb(app.weight!.css),
      String(app.weight!.files),
      ms(app.usable),
      ms(app.home),
    ],
    [
      'baseline: console',
      kb(consolePage.weight!.js),
      kb(consolePage.weight!.css),
      String(consolePage.weight!.files),
      ms(consolePage.usable),
      '—',
    ],
    [
      'baseline: bare HTML',
      kb(barePage.weight!.js),
      kb(barePage.weight!.css),
      String(barePage.weight!.files),
      ms(barePage.usable),
      '—',
    ],
  ]
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '))
  console.log(
    `\nSigning in then loads ${kb(app.homeWeight!.js)} more JavaScript and ${kb(app.homeWeight!.css)} CSS (gzip, ${app.homeWeight!.files} files: the enabled plugins' messages, UI modules and styles).`
  )
  const within = app.weight!.js <= JS_BUDGET_KB * 1024
  console.log(
    `\nJavaScript budget ${JS_BUDGET_KB} KB gzip: ${within ? 'within' : 'OVER'} (${kb(app.weight!.js)})`
  )
} finally {
  await browser?.close()
  bare.close()
  await oryne.stop()
}
