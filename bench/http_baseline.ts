/*
 * How much Oryne's HTTP stack costs over bare node:http, twice:
 * - on its cheapest route, GET /health/live: both servers answer with the same
 *   envelope bytes and comparable headers, so the gap is AdonisJS routing plus
 *   Oryne's own middleware and nothing else;
 * - on a signed-in user's list (a Teacher's JWT, not the platform token):
 *   GET /api/v1/erp/students?per_page=25 against a bare node:http + `pg`
 *   server that verifies the same JWT with the same code (AccessTokens) and runs
 *   the very statements Oryne sent for that request (recorded on its `pg`
 *   client, replayed with the same values), then answers with the rows in
 *   the envelope. The gap is routing, middleware, rate limiting, RBAC and the
 *   resource engine; the SQL is the same.
 * Both servers run in this process, one after the other. BENCH_CPU_PROFILE=<dir>
 * writes a CPU profile of Oryne's signed-in list run there. The list runs also
 * report CPU per request: the server thread, PostgreSQL and Redis (the rate
 * limiter's counters), which move far less with other load on the machine
 * than requests per second do.
 */
process.env.LOG_LEVEL ??= 'warn'
// One user's requests at load would exhaust the per-user budget in a second; the check itself still runs.
process.env.ORYNE_RATE_LIMIT_USER ??= '100000000/1h'

import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { startServices } from '#core/runtime/services'
import { bootApp } from '#core/runtime/ignite'
import { listen } from '#core/http/listen'
import { AccessTokens } from '#core/auth/access_tokens'
import { parseJwtKeys } from '#core/auth/keys'
import type { Tenant } from '#core/tenancy/types'
import { benchDuration, load, warmUp, type LoadResult } from './support/load.js'
import {
  cpuWindow,
  maybeProfile,
  pidCpuMs,
  postmasterOf,
  redisPidOf,
  type CpuUse,
} from './support/cpu.js'
import { fixed, loadAverage, printComparison, printTable } from './support/report.js'

const PATH = '/health/live'
const CONNECTIONS = 50
const duration = benchDuration()

/** The envelope GET /health/live answers with; timestamp and request id are fresh per request. */
function liveBody(requestId: string) {
  return JSON.stringify({
    success: true,
    data: { status: 'ok' },
    meta: { timestamp: new Date().toISOString(), request_id: requestId },
    error: null,
  })
}

/** Everything but the per-request values, to check that both servers send the same thing. */
function shapeOf(body: string) {
  return body
    .replace(/"timestamp":"[^"]+"/, '"timestamp":"<t>"')
    .replace(/"request_id":"[^"]+"/, '"request_id":"<id>"')
}

async function startBare(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== PATH) {
      response.writeHead(404).end()
      return
    }
    const requestId = randomUUID()
    const body = liveBody(requestId)
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
    })
    response.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}` }
}

async function sample(url: string) {
  const response = await fetch(url)
  return { status: response.status, headers: response.headers, body: await response.text() }
}

async function measure(
  label: string,
  url: string,
  headers?: Record<string, string>
): Promise<LoadResult> {
  console.log(`${label}: warming up 2 s, then ${CONNECTIONS} connections for ${duration} s`)
  await warmUp(url, { headers })
  return load(url, { connections: CONNECTIONS, duration, headers })
}

/** Statements with their values, as a `pg` client of this process sent them. */
type Recorded = { text: string; values: unknown[] }
let recording: Recorded[] | null = null
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const config = args[0] as string | { text?: string; values?: unknown[] }
  if (recording)
    recording.push(
      typeof config === 'string'
        ? { text: config, values: (args[1] as unknown[]) ?? [] }
        : { text: config.text ?? '', values: config.values ?? [] }
    )
  return query.apply(this, args)
} as typeof pg.Client.prototype.query

/**
 * The bare counterpart of a signed-in list: the JWT verified by Oryne's own
 * AccessTokens with the same keys, the recorded statements replayed in order on a plain pool of
 * Oryne's size, the last one's rows answered in the envelope.
 */
async function startBareList(path: string, statements: Recorded[], total: number) {
  const ring = parseJwtKeys(process.env.ORYNE_JWT_KEYS)
  const tokens = new AccessTokens(
    () => ring,
    () => new Date()
  )
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  })
  const server = createServer(async (request, response) => {
    try {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
      if (request.url !== path || !token) {
        response.writeHead(404).end()
        return
      }
      await tokens.verify(token)
      let rows: unknown[] = []
      // One connection for the request, as a transaction among the statements needs.
      const connection = await pool.connect()
      try {
        for (const statement of statements) {
          const result = await connection.query(statement.text, statement.values)
          rows = result.rows
        }
      } finally {
        connection.release()
      }
      const requestId = randomUUID()
      const body = JSON.stringify({
        success: true,
        data: rows,
        meta: {
          pagination: { page: 1, per_page: 25, total, last_page: Math.ceil(total / 25) },
          timestamp: new Date().toISOString(),
          request_id: requestId,
        },
        error: null,
      })
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-request-id': requestId,
      })
      response.end(body)
    } catch {
      response.writeHead(500).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, pool, url: `http://127.0.0.1:${port}` }
}

/** A tenant with ERP, 300 students and a Teacher signed in: the URL, headers and Oryne's statements of one list. */
async function signedInList(oryneUrl: string) {
  const { runPlatformMigrations } = await import('#core/database/platform_migrations')
  await runPlatformMigrations(app)
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const plugins = await app.container.make('oryne.plugins')
  const slug = `bench-list-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: 'List' }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['erp'], { actor: 'bench' })
  const email = `teacher@${slug}.example`
  const password = 'Maple-Syrup-2031'
  await tenantContext.run(tenant, async () => {
    await identity.tenantUsers.create({ email, role: 'Teacher', password })
    await withTenantDb((trx) =>
      trx.rawQuery(
        `INSERT INTO erp_students (enrollment_no, first_name, last_name)
         SELECT 'S' || lpad(g::text, 5, '0'), 'Pupil', 'Number ' || g FROM generate_series(1, 300) g`
      )
    )
  })
  const login = await fetch(`${oryneUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
    body: JSON.stringify({ email, password }),
  })
  const { data } = (await login.json()) as { data: { access_token: string } }
  const headers = { 'x-tenant-id': slug, 'authorization': `Bearer ${data.access_token}` }
  const path = '/api/v1/erp/students?per_page=25'
  // Warm caches (tenant, permissions, custom fields), then record one request's statements.
  await fetch(oryneUrl + path, { headers })
  await new Promise((resolve) => setTimeout(resolve, 300))
  recording = []
  const answered = await fetch(oryneUrl + path, { headers })
  const body = await answered.text()
  const statements = recording
  recording = null
  if (answered.status !== 200) throw new Error(`The list answered ${answered.status}: ${body}`)
  const total = (JSON.parse(body) as { meta: { pagination: { total: number } } }).meta.pagination
    .total
  return { path, headers, statements, total, oryneBody: body }
}

const services = await startServices({ warn: (message) => console.warn(message) })
const app = await bootApp('web')
const bare = await startBare()
let bareListServer: Awaited<ReturnType<typeof startBareList>> | undefined

try {
  const oryne = await listen(app, { host: '127.0.0.1', port: 0 })
  const oryneUrl = oryne.url + PATH
  const bareUrl = bare.url + PATH

  // Refuse to compare unless both answer 200 with the same body shape and length.
  const oryneSample = await sample(oryneUrl)
  const bareSample = await sample(bareUrl)
  console.log(`Oryne ${PATH}: ${oryneSample.status} ${oryneSample.body}`)
  console.log(`Oryne headers: ${JSON.stringify(Object.fromEntries(oryneSample.headers))}`)
  console.log(`Bare headers:  ${JSON.stringify(Object.fromEntries(bareSample.headers))}`)
  if (
    oryneSample.status !== 200 ||
    shapeOf(oryneSample.body) !== shapeOf(bareSample.body) ||
    oryneSample.body.length !== bareSample.body.length
  ) {
    throw new Error(`The bare server does not mirror Oryne's response:\n${bareSample.body}`)
  }

  console.log(`NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}`)
  // BENCH_ONLY=list measures the signed-in list alone (A/B runs of the hot path).
  if (process.env.BENCH_ONLY !== 'list') {
    const oryneResult = await measure('Oryne', oryneUrl)
    const bareResult = await measure('node:http', bareUrl)
    printComparison(
      `GET ${PATH}, ${CONNECTIONS} connections, ${duration} s`,
      { label: 'Oryne', result: oryneResult },
      { label: 'node:http', result: bareResult }
    )
  }

  const list = await signedInList(oryne.url)
  console.log(
    `\nSigned-in list: Oryne sent ${list.statements.length} statement(s) per request:\n` +
      list.statements
        .map((statement) => `  ${statement.text.replace(/\s+/g, ' ').slice(0, 140)}`)
        .join('\n')
  )
  const bareList = await startBareList(list.path, list.statements, list.total)
  bareListServer = bareList
  const bareListSample = await fetch(bareList.url + list.path, { headers: list.headers })
  const bareListBody = await bareListSample.text()
  console.log(`Body bytes: Oryne ${list.oryneBody.length}, bare ${bareListBody.length}`)
  if (bareListSample.status !== 200)
    throw new Error(`The bare list answered ${bareListSample.status}`)
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmaster = await postmasterOf(backend[0].pid)
  const redisPid = await redisPidOf(process.env.REDIS_URL)
  /** A measured run with the CPU each side used during it (Redis included). */
  async function withCpu(run: () => Promise<LoadResult>) {
    const window = await cpuWindow(postmaster)
    const redisBefore = redisPid ? await pidCpuMs(redisPid) : null
    const result = await run()
    const cpu = await window.finish()
    const redisAfter = redisPid ? await pidCpuMs(redisPid) : null
    const redisMs =
      redisBefore !== null && redisAfter !== null ? redisAfter - redisBefore : Number.NaN
    return { result, cpu, redisMs }
  }
  console.log(`Load average (1 / 5 / 15 min) before the list runs: ${loadAverage()}`)
  const oryneRun = await withCpu(() =>
    maybeProfile('user-list', () =>
      measure('Oryne (Teacher JWT)', oryne.url + list.path, list.headers)
    )
  )
  const bareRun = await withCpu(() =>
    measure('node:http + pg', bareList.url + list.path, list.headers)
  )
  const oryneList = oryneRun.result
  const bareListResult = bareRun.result
  const perRequest = (run: { result: LoadResult; cpu: CpuUse; redisMs: number }) => {
    const n = run.result.totalRequests
    return [
      fixed(run.cpu.threadMs / n, 3),
      fixed(run.cpu.postgresMs / n, 3),
      fixed(run.redisMs / n, 3),
      `${fixed(100 * run.cpu.othersBusy, 0)}%`,
    ]
  }
  printTable(
    "CPU per request during the list runs (ms), and other processes' share of the machine",
    ['', 'server thread', 'PostgreSQL', 'Redis', 'other processes'],
    [
      ['Oryne', ...perRequest(oryneRun)],
      ['node:http + pg', ...perRequest(bareRun)],
    ]
  )
  console.log(
    `ORYNE_RATE_LIMIT_SYNC_MS=${process.env.ORYNE_RATE_LIMIT_SYNC_MS ?? '(default)'}; load average after: ${loadAverage()}`
  )
  printComparison(
    `GET ${list.path} as a signed-in Teacher (JWT), ${CONNECTIONS} connections, ${duration} s`,
    { label: 'Oryne', result: oryneList },
    { label: 'node:http + pg', result: bareListResult }
  )
} finally {
  if (bareListServer) {
    await new Promise((resolve) => bareListServer!.server.close(resolve))
    await bareListServer.pool.end()
  }
  await new Promise((resolve) => bare.server.close(resolve))
  await app.terminate()
  await services.stop()
}
