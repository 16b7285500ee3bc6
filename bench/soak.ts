/*
 * Soak: a realistic mix across 20 tenants for BENCH_DURATION seconds (600 by
 * default): one sign-in per user, then token refreshes (5% of requests), lists and details, writes, searches, and actions that
 * queue jobs (CSV imports), from one simulated user per tenant and role at a
 * time, against the API and a worker in this process on their own
 * PostgreSQL and Redis. Prints per minute (or per tenth of a short run) the
 * requests, errors, p50/p99, resident memory and the job backlog; then
 * whether the backlog drains. The baseline is the run's own first window:
 * memory and latency in the last window are compared against it, so a leak
 * or a slowdown over time shows as a ratio.
 */
process.env.LOG_LEVEL ??= 'warn'
// Counters per user would cut a long run short; the mix, not the limits, is under test.
process.env.ORYNE_RATE_LIMIT_USER ??= 'off'
process.env.ORYNE_RATE_LIMIT_ADMIN ??= 'off'
process.env.ORYNE_RATE_LIMIT_LOGIN ??= 'off'
// Sign-ins are anonymous requests: 100/h per address and tenant would refuse them after a few minutes.
process.env.ORYNE_RATE_LIMIT_ANONYMOUS ??= 'off'
process.env.ORYNE_BACKUP_SCHEDULE ??= 'off'

import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { postgresCpuMs, postmasterOf, processCpuMs, threadCpuMs } from './support/cpu.js'
import { benchDuration } from './support/load.js'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'

const TENANTS = Number(process.env.BENCH_TENANTS) || 20
const DURATION_S = benchDuration(600)
const WINDOWS = DURATION_S >= 600 ? Math.round(DURATION_S / 60) : 10
const PASSWORD = 'Maple-Syrup-2031'

type Sample = { at: number; ms: number; ok: boolean; kind: string; code?: string }

/**
 * Uniform integers in [0, n) from a seeded mulberry32 generator: the low
 * bits of the former LCG taken `% n` gave 8.7% sign-ins where 5% were meant.
 */
function randomInts(seed: number) {
  let state = seed >>> 0
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n)
  }
}

const oryne = await startOryne('web')
try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const { startBackgroundWork } = await import('#core/jobs/background')
  const plugins = await oryne.app.container.make('oryne.plugins')
  const jobs = await oryne.app.container.make('oryne.jobs')

  const setupStarted = performance.now()
  const schools: Array<{ tenant: Tenant; admin: string; student: string }> = []
  for (let i = 0; i < TENANTS; i++) {
    const slug = `soak-${i}-${Date.now().toString(36)}`
    const created = await tenancy.registry.create({ slug, name: `Soak ${i}` }, 'bench')
    const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
    await plugins.enable(tenant, ['erp', 'lms'], { actor: 'bench' })
    const admin = `admin@${slug}.example`
    const student = `pupil@${slug}.example`
    await tenantContext.run(tenant, async () => {
      await identity.tenantUsers.create({ email: admin, role: 'TenantAdmin', password: PASSWORD })
      const { user } = await identity.tenantUsers.create({
        email: student,
        role: 'Student',
        password: PASSWORD,
      })
      await withTenantDb(async (trx) => {
        await trx.rawQuery(
          `INSERT INTO erp_students (enrollment_no, first_name, last_name, user_id)
           SELECT 'S' || lpad(g::text, 5, '0'), 'Pupil', 'Number ' || g, CASE WHEN g = 1 THEN ?::uuid END
             FROM generate_series(1, 300) g`,
          [user.id]
        )
      })
    })
    schools.push({ tenant, admin, student })
  }
  await startBackgroundWork(jobs)
  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  console.log(
    `${TENANTS} tenants with 300 students each ready in ${fixed((performance.now() - setupStarted) / 1000, 1)} s; ` +
      `soaking for ${DURATION_S} s, ${loadAverage()}`
  )

  const samples: Sample[] = []
  const memory: Array<{ at: number; rss: number; waiting: number }> = []
  const started = performance.now()
  const elapsed = () => performance.now() - started
  const running = () => elapsed() < DURATION_S * 1000

  async function call(kind: string, path: string, init: RequestInit, slug: string, token?: string) {
    const begun = performance.now()
    let ok = false
    let body: any = null
    try {
      const response = await fetch(`${server.url}/api/v1${path}`, {
        ...init,
        headers: {
          'content-type': 'application/json',
          'x-tenant-id': slug,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      })
      body = await response.json().catch(() => null)
      ok = response.status < 400
    } catch {}
    const code = ok ? undefined : (body?.error?.code ?? 'NO_RESPONSE')
    samples.push({ at: begun - started, ms: performance.now() - begun, ok, kind, code })
    return body
  }

  /** One signed-in person of one tenant, going through the day's mix until the time is up. */
  async function person(school: (typeof schools)[number], role: 'admin' | 'student', seed: number) {
    const slug = school.tenant.slug
    const email = role === 'admin' ? school.admin : school.student
    const next = randomInts(seed)
    let token: string | undefined
    let refreshToken: string | undefined
    let written = 0
    while (running()) {
      const roll = next(100)
      if (!token) {
        const login = await call(
          'login',
          '/auth/login',
          { method: 'POST', body: JSON.stringify({ email, password: PASSWORD }) },
          slug
        )
        token = login?.data?.access_token
        refreshToken = login?.data?.refresh_token
        // A refused sign-in is retried after a pause, not in a tight loop.
        if (!token) await new Promise((resolve) => setTimeout(resolve, 1000))
        continue
      }
      // As real clients do, an access token is renewed with the refresh token, not by signing in again.
      if (roll < 5) {
        const refreshed = await call(
          'refresh',
          '/auth/refresh',
          { method: 'POST', body: JSON.stringify({ refresh_token: refreshToken }) },
          slug
        )
        token = refreshed?.data?.access_token
        refreshToken = refreshed?.data?.refresh_token
        continue
      }
      if (roll < 40)
        await call('list', `/erp/students?per_page=25&page=${1 + next(12)}`, {}, slug, token)
      // A student sees their own record (id 1, linked to their account); the admin any.
      else if (roll < 55)
        await call(
          'detail',
          `/erp/students/${role === 'admin' ? 1 + next(300) : 1}`,
          {},
          slug,
          token
        )
      else if (roll < 70)
        await call('search', `/search?q=number%20${1 + next(300)}`, {}, slug, token)
      else if (roll < 80) await call('notifications', '/notifications?per_page=10', {}, slug, token)
      else if (role === 'admin' && roll < 92) {
        written++
        await call(
          'write',
          '/erp/students',
          {
            method: 'POST',
            body: JSON.stringify({
              enrollment_no: `W-${seed}-${written}`,
              first_name: 'Soak',
              last_name: `Writer ${written}`,
            }),
          },
          slug,
          token
        )
      } else if (role === 'admin') {
        // A job-producing action: a small CSV import, processed by the worker.
        const form = new FormData()
        const rows = Array.from(
          { length: 5 },
          (_, i) => `J-${seed}-${written}-${i},Job,Row ${i}`
        ).join('\n')
        written++
        form.append(
          'file',
          new Blob([`enrollment_no,first_name,last_name\n${rows}\n`]),
          'import.csv'
        )
        const begun = performance.now()
        const response = await fetch(`${server.url}/api/v1/erp/imports/students`, {
          method: 'POST',
          headers: { 'x-tenant-id': slug, 'authorization': `Bearer ${token}` },
          body: form,
        }).catch(() => null)
        samples.push({
          at: begun - started,
          ms: performance.now() - begun,
          ok: response?.status === 202,
          kind: 'import',
        })
        await response?.body?.cancel()
      } else await call('list', '/lms/courses', {}, slug, token)
    }
  }

  const pending = async () => {
    const queues = await jobs.status()
    return queues.reduce((sum, queue) => sum + queue.waiting + queue.active, 0)
  }
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmaster = await postmasterOf(backend[0].pid)
  const cpuBefore = {
    process: processCpuMs(),
    thread: threadCpuMs(),
    pg: await postgresCpuMs(postmaster),
  }
  const sampler = setInterval(
    async () => {
      const waiting = await pending()
      memory.push({ at: elapsed(), rss: process.memoryUsage().rss, waiting })
    },
    Math.min(5000, (DURATION_S * 1000) / WINDOWS / 2)
  )
  await Promise.all(
    schools.flatMap((school, i) => [
      person(school, 'admin', 1 + i),
      person(school, 'student', 1001 + i),
    ])
  )
  clearInterval(sampler)
  const cpu = {
    process: processCpuMs() - cpuBefore.process,
    thread: threadCpuMs() - cpuBefore.thread,
    pg: (await postgresCpuMs(postmaster)) - cpuBefore.pg,
  }
  const memoryAtEnd = process.memoryUsage()

  // The backlog must drain once the load stops.
  const drainStarted = performance.now()
  let backlog = Infinity
  while (performance.now() - drainStarted < 120_000) {
    backlog = await pending()
    if (backlog === 0) break
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000

  const windowMs = (DURATION_S * 1000) / WINDOWS
  const percentile = (values: number[], p: number) =>
    values.length
      ? values.sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)]
      : 0
  const rows = Array.from({ length: WINDOWS }, (_, w) => {
    const inWindow = samples.filter((s) => s.at >= w * windowMs && s.at < (w + 1) * windowMs)
    const rss = memory.filter((m) => m.at >= w * windowMs && m.at < (w + 1) * windowMs)
    const latencies = inWindow.map((s) => s.ms)
    return {
      window: `${fixed((w * windowMs) / 1000, 0)}–${fixed(((w + 1) * windowMs) / 1000, 0)} s`,
      requests: inWindow.length,
      errors: inWindow.filter((s) => !s.ok).length,
      p50: percentile([...latencies], 50),
      p99: percentile([...latencies], 99),
      rss: rss.length ? Math.max(...rss.map((m) => m.rss)) / 1024 ** 2 : 0,
      waiting: rss.length ? Math.max(...rss.map((m) => m.waiting)) : 0,
    }
  })
  printTable(
    `Soak: ${TENANTS} tenants, ${schools.length * 2} simulated users, ${DURATION_S} s`,
    ['window', 'requests', 'errors', 'p50 ms', 'p99 ms', 'max RSS MiB', 'max jobs waiting'],
    rows.map((row) => [
      row.window,
      String(row.requests),
      String(row.errors),
      fixed(row.p50, 1),
      fixed(row.p99, 1),
      fixed(row.rss, 0),
      String(row.waiting),
    ])
  )
  const all = samples.map((s) => s.ms)
  const errors = samples.filter((s) => !s.ok)
  const byKind = new Map<string, number>()
  for (const sample of errors) {
    const key = `${sample.kind} ${sample.code}`
    byKind.set(key, (byKind.get(key) ?? 0) + 1)
  }
  const kinds = new Map<string, number>()
  for (const sample of samples) kinds.set(sample.kind, (kinds.get(sample.kind) ?? 0) + 1)
  console.log(
    `Mix: ${[...kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => `${kind} ${fixed((100 * count) / samples.length, 1)}%`)
      .join(', ')}`
  )
  const measured = rows.filter((row) => row.rss > 0)
  const [first, last] = [measured[0], measured.at(-1)!]
  console.log(
    `${samples.length} requests, ${errors.length} errors (${fixed((100 * errors.length) / Math.max(1, samples.length), 3)}%)` +
      (errors.length ? ` by kind: ${JSON.stringify(Object.fromEntries(byKind))}` : '') +
      `; p50 ${fixed(percentile([...all], 50), 1)} ms, p99 ${fixed(percentile([...all], 99), 1)} ms`
  )
  console.log(
    `Against the first window: RSS ${fixed(last.rss / first.rss, 2)}x, p50 ${fixed(last.p50 / first.p50, 2)}x, p99 ${fixed(last.p99 / first.p99, 2)}x; ` +
      `job backlog ${backlog === 0 ? `drained ${fixed(drainSeconds, 1)} s after the load stopped` : `NOT drained (${backlog} left)`}`
  )
  // The load generator shares the process (and its event loop) with the server and the worker.
  const perRequest = (ms: number) => fixed(ms / Math.max(1, samples.length), 2)
  console.log(
    `CPU per request during the load: ${perRequest(cpu.process + cpu.pg)} ms = this process ` +
      `${perRequest(cpu.process)} ms (main thread ${perRequest(cpu.thread)} ms; server, worker and the ` +
      `load generator's fetch) + PostgreSQL ${perRequest(cpu.pg)} ms`
  )
  const mib = (bytes: number) => fixed(bytes / 1024 ** 2, 0)
  console.log(
    `At the end of the load: RSS ${mib(memoryAtEnd.rss)} MiB, V8 heap ${mib(memoryAtEnd.heapUsed)} MiB used of ` +
      `${mib(memoryAtEnd.heapTotal)} MiB, external ${mib(memoryAtEnd.external)} MiB ` +
      `(array buffers ${mib(memoryAtEnd.arrayBuffers)} MiB); NODE_ENV=${process.env.NODE_ENV}, ` +
      `MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset'}, NODE_OPTIONS=${process.env.NODE_OPTIONS || 'none'}`
  )
} finally {
  await oryne.stop()
}
