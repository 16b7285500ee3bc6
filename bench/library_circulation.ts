/*
 * Library circulation under load: 50 desk clients issue and return copies by
 * barcode as fast as they can, each for its own member, over a shelf of 100
 * copies of one title, so that clients often reach for a copy another one
 * holds. Two variants, one after the other in the same run, for
 * BENCH_DURATION seconds each (default 10):
 * - "HTTP": POST /api/v1/library/circulation/issue then .../return as the
 *   librarian (a Staff user, JWT), from 50 keep-alive clients on a worker
 *   thread (off the server's event loop);
 * - "SQL through pg": the same two transactions written by hand (copy row
 *   lock, open-loan insert under the partial unique index, copy status;
 *   return: lock, close, status) from 50 clients of a plain `pg` pool of the
 *   size of Oryne's, on a second title's copies: the floor for the same work
 *   without HTTP, auth, settings, card rules, fines, reservations or events.
 * After the run, SQL checks that no copy was ever on two loans at once, in
 * either variant: at most one open loan per copy and no two loans of a copy
 * whose [issued, returned) intervals overlap.
 * BENCH_STATEMENTS=1 counts every statement the process sends PostgreSQL during
 * the HTTP run (work done after an answer included: event listeners) and
 * prints them per issue + return cycle; BENCH_CPU_PROFILE=<dir> writes a CPU
 * profile of the server thread during the HTTP run.
 */
process.env.LOG_LEVEL ??= 'warn'
// The librarian is one user: the per-user limit (1000/h) would cut the run short.
process.env.ORYNE_RATE_LIMIT_USER ??= 'off'

import { Worker } from 'node:worker_threads'
import { cpus } from 'node:os'
import pg from 'pg'
import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { benchDuration } from './support/load.js'
import { cpuWindow, maybeProfile, postmasterOf, processCpuMs } from './support/cpu.js'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const CLIENTS = 50
const COPIES = 100
const PASSWORD = 'Maple-Syrup-2031'
const duration = benchDuration()

/** Statements sent by any `pg` client of this process while counting, by text. */
let tally: Map<string, number> | null = null
const sendQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown
if (process.env.BENCH_STATEMENTS) {
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (tally) {
      const config = args[0] as string | { text?: string }
      const text = (typeof config === 'string' ? config : (config.text ?? ''))
        .replace(/\s+/g, ' ')
        .slice(0, 160)
      tally.set(text, (tally.get(text) ?? 0) + 1)
    }
    return sendQuery.apply(this, args)
  } as typeof pg.Client.prototype.query
}

/** What one variant did: completed issue+return cycles, refusals and latencies of each request. */
type Outcome = {
  cycles: number
  refused: number
  failed: number
  latencies: number[]
  seconds: number
  firstError?: string
}

/*
 * The HTTP clients, as plain JavaScript for an eval'd worker: each picks a
 * random copy, issues it to its member, and returns it when the issue went
 * through; a copy another client holds answers 409 and counts as refused.
 */
const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads')
const { url, headers, barcodes, students, seconds } = workerData
const latencies = []
let cycles = 0, refused = 0, failed = 0, firstError
const http = require('node:http')
const agent = new http.Agent({ keepAlive: true, maxSockets: students.length })
// fetch (undici) by default; BENCH_CLIENT=http sends the same requests through node:http, lighter on the CPU.
function send(path, payload) {
  if (workerData.client !== 'http')
    return fetch(url + path, { method: 'POST', headers, body: payload }).then(async (r) => ({ status: r.status, text: await r.text() }))
  return new Promise((resolve, reject) => {
    const request = http.request(url + path, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(payload) } }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString() }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(payload)
  })
}
async function post(path, body) {
  const started = performance.now()
  const answer = await send(path, JSON.stringify(body))
  latencies.push(performance.now() - started)
  return answer
}
async function client(student) {
  const stop = Date.now() + seconds * 1000
  while (Date.now() < stop) {
    const barcode = barcodes[Math.floor(Math.random() * barcodes.length)]
    const issued = await post('/circulation/issue', { barcode, student_id: student })
    if (issued.status === 409 && issued.text.includes('ERR_LIBRARY_COPY_NOT_AVAILABLE')) { refused++; continue }
    if (issued.status !== 201) { failed++; firstError ??= issued.status + ' ' + issued.text; continue }
    const returned = await post('/circulation/return', { barcode })
    if (returned.status !== 200) { failed++; firstError ??= returned.status + ' ' + returned.text; continue }
    cycles++
  }
}
const started = performance.now()
Promise.all(students.map(client)).then(() => {
  parentPort.postMessage({ cycles, refused, failed, latencies, firstError, seconds: (performance.now() - started) / 1000 })
})
`

function runHttpClients(data: Record<string, unknown>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT_CODE, { eval: true, workerData: data })
    worker.once('message', (outcome: Outcome) => {
      resolve(outcome)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

const oryne = await startOryne('web', { durable: true })
let bare: pg.Pool | undefined

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-library-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['library'], { actor: 'bench' })
  const inTenant = <T>(fn: () => Promise<T>) => tenantContext.run(tenant, fn)
  const email = `librarian@${slug}.example`
  await inTenant(() => identity.tenantUsers.create({ email, role: 'Staff', password: PASSWORD }))

  // Two titles of 100 copies each (one per variant) and a member per client, through SQL.
  const { students, httpBarcodes, sqlCopies } = await inTenant(() =>
    withTenantDb(async (trx) => {
      const titles = await trx
        .insertQuery()
        .table('library_titles')
        .multiInsert([{ title: 'Measured over HTTP' }, { title: 'Measured through pg' }])
        .returning('id')
      for (const [i, title] of titles.entries()) {
        await trx.rawQuery(
          `INSERT INTO library_copies (title_id, barcode, status)
           SELECT ?, ? || lpad(g::text, 4, '0'), 'available' FROM generate_series(1, ?) g`,
          [title.id, i === 0 ? 'H' : 'S', COPIES]
        )
      }
      const rows = await trx.rawQuery(
        `INSERT INTO erp_students (enrollment_no, first_name, last_name)
         SELECT 'B' || lpad(g::text, 4, '0'), 'Reader', 'No ' || g FROM generate_series(1, ?) g
         RETURNING id`,
        [CLIENTS]
      )
      await trx.rawQuery(
        `INSERT INTO library_members (kind, student_id, card_no)
         SELECT 'student', id, 'M' || id FROM erp_students`
      )
      const copies = await trx
        .from('library_copies')
        .orderBy('barcode')
        .select('id', 'title_id', 'barcode')
      await trx.rawQuery('ANALYZE')
      return {
        students: rows.rows.map((row: { id: string }) => String(row.id)),
        httpBarcodes: copies.filter((c) => c.barcode.startsWith('H')).map((c) => c.barcode),
        sqlCopies: copies.filter((c) => c.barcode.startsWith('S')),
      }
    })
  )

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': slug },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  if (login.status !== 200) throw new Error(`Login answered ${login.status}`)
  const session = (await login.json()) as { data: { access_token: string } }
  const headers = {
    'content-type': 'application/json',
    'x-tenant-id': slug,
    'authorization': `Bearer ${session.data.access_token}`,
  }
  const clientData = (seconds: number) => ({
    client: process.env.BENCH_CLIENT === 'http' ? 'http' : 'fetch',
    url: `${server.url}/api/v1/library`,
    headers,
    barcodes: httpBarcodes,
    students,
    seconds,
  })

  // The hand-written transactions, on the second title's copies.
  const schema = tenant.schema_name
  const members = await db.rawQuery(
    `SELECT id::text, student_id::text FROM "${schema}".library_members ORDER BY id`
  )
  const memberIds: string[] = members.rows.map((row: { id: string }) => row.id)
  const poolSize = Number(process.env.DATABASE_POOL_MAX ?? 10)
  bare = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: poolSize })
  const pool = bare
  async function sqlCycle(copy: { id: string; title_id: string }, memberId: string) {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const locked = await client.query(
        `SELECT status FROM "${schema}".library_copies WHERE id = $1 FOR UPDATE`,
        [copy.id]
      )
      if (locked.rows[0].status !== 'available') {
        await client.query('ROLLBACK')
        return 'refused'
      }
      await client.query(
        `INSERT INTO "${schema}".library_loans (copy_id, title_id, member_id, issued_at, due_on, status)
         VALUES ($1, $2, $3, clock_timestamp(), current_date + 14, 'open')`,
        [copy.id, copy.title_id, memberId]
      )
      await client.query(
        `UPDATE "${schema}".library_copies SET status = 'on_loan', updated_at = now() WHERE id = $1`,
        [copy.id]
      )
      await client.query('COMMIT')
      await client.query('BEGIN')
      await client.query(`SELECT id FROM "${schema}".library_copies WHERE id = $1 FOR UPDATE`, [
        copy.id,
      ])
      await client.query(
        `UPDATE "${schema}".library_loans SET status = 'returned', returned_at = clock_timestamp(),
                updated_at = now() WHERE copy_id = $1 AND status = 'open'`,
        [copy.id]
      )
      await client.query(
        `UPDATE "${schema}".library_copies SET status = 'available', updated_at = now() WHERE id = $1`,
        [copy.id]
      )
      await client.query('COMMIT')
      return 'cycle'
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }
  async function runSqlClients(seconds: number): Promise<Outcome> {
    const latencies: number[] = []
    let cycles = 0
    let refused = 0
    const started = performance.now()
    await Promise.all(
      memberIds.map(async (memberId) => {
        const stop = Date.now() + seconds * 1000
        while (Date.now() < stop) {
          const copy = sqlCopies[Math.floor(Math.random() * sqlCopies.length)]
          const begun = performance.now()
          const outcome = await sqlCycle(copy, memberId)
          // A cycle is two requests' worth of work: count each transaction's share alike.
          const elapsed = performance.now() - begun
          if (outcome === 'cycle') {
            cycles++
            latencies.push(elapsed / 2, elapsed / 2)
          } else {
            refused++
            latencies.push(elapsed)
          }
        }
      })
    )
    return { cycles, refused, failed: 0, latencies, seconds: (performance.now() - started) / 1000 }
  }

  console.log(
    `Seeded: ${CLIENTS} members, two titles of ${COPIES} copies; pg pool of ${poolSize} ` +
      `(Oryne's DATABASE_POOL_MAX). NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)
  await runHttpClients(clientData(2))
  await runSqlClients(2)

  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmasterPid = await postmasterOf(backend[0].pid)
  const httpWindow = await cpuWindow(postmasterPid)
  const processBefore = processCpuMs()
  if (process.env.BENCH_STATEMENTS) tally = new Map()
  const http = await maybeProfile('library-http', () => runHttpClients(clientData(duration)))
  const httpCpu = await httpWindow.finish()
  // Everything of this process but the server thread: the HTTP clients' worker, GC and libuv threads.
  const clientMs = processCpuMs() - processBefore - httpCpu.threadMs
  const counted = tally
  tally = null
  const sqlWindow = await cpuWindow(postmasterPid)
  const sql = await runSqlClients(duration)
  const sqlCpu = await sqlWindow.finish()
  if (http.failed) throw new Error(`${http.failed} HTTP requests failed, e.g. ${http.firstError}`)

  // No double issue, in SQL: one open loan per copy at most, and no overlapping loans of a copy.
  const { rows: checks } = await db.rawQuery(
    `SELECT t.title,
            (SELECT count(*) FROM "${schema}".library_loans l WHERE l.title_id = t.id)::int AS loans,
            (SELECT count(*) FROM (SELECT copy_id FROM "${schema}".library_loans
                                    WHERE title_id = t.id AND status = 'open'
                                    GROUP BY copy_id HAVING count(*) > 1) x)::int AS doubly_open,
            (SELECT count(*) FROM "${schema}".library_loans a
               JOIN "${schema}".library_loans b ON b.copy_id = a.copy_id AND b.id > a.id
              WHERE a.title_id = t.id
                AND tstzrange(a.issued_at, coalesce(a.returned_at, 'infinity'))
                 && tstzrange(b.issued_at, coalesce(b.returned_at, 'infinity')))::int AS overlapping
       FROM "${schema}".library_titles t ORDER BY t.id`
  )
  const [httpCheck, sqlCheck] = checks
  for (const check of checks) {
    if (check.doubly_open || check.overlapping)
      throw new Error(`Double issue in "${check.title}": ${JSON.stringify(check)}`)
  }
  console.log(
    `Checked in SQL: ${httpCheck.loans} loans over HTTP and ${sqlCheck.loans} through pg ` +
      `(warm-up included); no copy on two open loans, no two loans of a copy overlapping.`
  )

  const row = (label: string, figure: (o: Outcome) => string) => [label, figure(http), figure(sql)]
  const perSecond = (o: Outcome) => o.cycles / o.seconds
  const requests = (o: Outcome) => o.cycles * 2 + o.refused
  const h = summarize(http.latencies)
  const s = summarize(sql.latencies)
  printTable(
    `Library circulation: issue + return by barcode, ${CLIENTS} concurrent clients, ${COPIES} copies, ${duration} s`,
    ['', 'HTTP', 'SQL through pg', 'HTTP / SQL'],
    [
      [
        ...row('Issue + return cycles/s', (o) => fixed(perSecond(o), 0)),
        fixed(perSecond(http) / perSecond(sql), 2),
      ],
      [
        ...row('Requests (transactions)/s', (o) => fixed(requests(o) / o.seconds, 0)),
        fixed(requests(http) / http.seconds / (requests(sql) / sql.seconds), 2),
      ],
      [...row('Issues refused (copy out)', (o) => String(o.refused)), ''],
      [
        ...row('Latency p50 (ms)', (o) => fixed(summarize(o.latencies).p50, 1)),
        fixed(h.p50 / s.p50, 2),
      ],
      [
        ...row('Latency p95 (ms)', (o) => fixed(summarize(o.latencies).p95, 1)),
        fixed(h.p95 / s.p95, 2),
      ],
      [...row('Failed', (o) => String(o.failed)), ''],
      [
        'PostgreSQL CPU, ms per cycle',
        fixed(httpCpu.postgresMs / http.cycles, 2),
        fixed(sqlCpu.postgresMs / sql.cycles, 2),
        '',
      ],
      [
        'Main thread CPU, ms per cycle',
        fixed(httpCpu.threadMs / http.cycles, 2),
        fixed(sqlCpu.threadMs / sql.cycles, 2),
        '',
      ],
      [
        `Other threads (HTTP clients: ${process.env.BENCH_CLIENT === 'http' ? 'node:http' : 'fetch'}), ms per cycle`,
        fixed(clientMs / http.cycles, 2),
        '',
        '',
      ],
    ]
  )
  console.log(
    `\nDuring the HTTP run the machine was ${fixed(100 * httpCpu.machineBusy, 0)}% busy (of ${cpus().length} cores), ` +
      `other processes ${fixed(100 * httpCpu.othersBusy, 0)}%; during the pg run ${fixed(100 * sqlCpu.machineBusy, 0)}%, ` +
      `others ${fixed(100 * sqlCpu.othersBusy, 0)}%.`
  )
  if (counted) {
    const sent = http.cycles * 2 + http.refused
    const total = [...counted.values()].reduce((sum, n) => sum + n, 0)
    console.log(
      `\nStatements sent during the HTTP run: ${total}, ${fixed(total / http.cycles, 1)} per cycle ` +
        `(${fixed(total / sent, 1)} per request, refused issues included), by text:`
    )
    for (const [text, n] of [...counted].sort((a, b) => b[1] - a[1]))
      console.log(`  ${fixed(n / http.cycles, 2).padStart(6)}  ${text}`)
  }
  console.log(`Load average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await bare?.end()
  await oryne.stop()
}
