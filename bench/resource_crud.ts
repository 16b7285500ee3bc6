/*
 * What the low-code resource engine costs on a list. GET
 * /api/v1/library-lite/books (a declared resource of the library-lite fixture
 * plugin: 20 rows, every field type) is measured next to, in the same process:
 * - "Lucid (withTenantDb)": a hand-written route behind the same middleware
 *   and permission check, running the same SELECT with Lucid's query builder
 *   in the usual tenant transaction;
 * - "Lucid (readTenantDb)": the same, with the read schema-qualified and
 *   outside a transaction, as the engine reads;
 * and to a bare node:http server with its own pg pool running the same SQL
 * and sending the same envelope. Every variant must answer the same `data`.
 */
process.env.LOG_LEVEL ??= 'warn'
// The library-lite fixture declares the resource.
process.env.ORYNE_PLUGIN_PATHS ??= 'tests/fixtures/plugins'
// The platform token's rate limit (10000/h) would cut a run short; every Oryne variant would pay its Redis round trip alike.
process.env.ORYNE_RATE_LIMIT_ADMIN ??= 'off'

import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout } from 'node:timers/promises'
import pg from 'pg'
import type { HttpContext } from '@adonisjs/core/http'
import { listen } from '#core/http/listen'
import { respond } from '#core/http/envelope'
import { benchDuration } from './support/load.js'
import { loadAverage, printLoadTable } from './support/report.js'
import { postmasterOf } from './support/cpu.js'
import { startOryne } from './support/oryne.js'
import { measureRoute, printCpuTable, type Measurement } from './support/measured.js'

const CONNECTIONS = 50
const ROWS = 20
const RESOURCE_PATH = '/api/v1/library-lite/books'
const LUCID_PATH = '/api/v1/library-lite/bench-books'
const LUCID_QUALIFIED_PATH = '/api/v1/library-lite/bench-books-qualified'
const duration = benchDuration()

const oryne = await startOryne('web')
let bare: pg.Pool | undefined

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: router } = await import('@adonisjs/core/services/router')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb, readTenantDb } = await import('#core/tenancy/tenant_db')
  const { authorize } = await import('#core/rbac/authorize')
  const { middleware } = await import('#start/kernel')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-crud-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = await tenancy.provisionNow(created.id, 'bench')
  await plugins.enable(tenant, ['library-lite'], { actor: 'bench' })
  const formats = ['hardcover', 'paperback', 'ebook']
  await tenantContext.run(tenant, () =>
    withTenantDb((trx) =>
      trx
        .insertQuery()
        .table('library_lite_books')
        .multiInsert(
          Array.from({ length: ROWS }, (_, i) => ({
            title: `Book ${String(i).padStart(2, '0')}`,
            isbn: String(9780000000000 + i),
            summary: `A summary of book ${i}, long enough to look like one.`,
            pages: 100 + i,
            price: (5 + i * 1.25).toFixed(2),
            published_on: `20${String(10 + (i % 10)).padStart(2, '0')}-0${1 + (i % 9)}-15`,
            acquired_at: new Date(Date.UTC(2024, i % 12, 1, 9)),
            format: formats[i % 3],
            metadata: JSON.stringify({ shelf: `S${i % 4}` }),
            cover: `covers/${i}.jpg`,
          }))
        )
    )
  )

  // The same SELECT the engine sends for `GET /books` (default sort title, then id; 25 a page).
  const columns = [
    'id',
    'title',
    'isbn',
    'summary',
    'pages',
    'price',
    'available',
    'acquired_at',
    'format',
    'metadata',
    'cover',
    'added_by_id',
    'custom',
    'created_at',
    'updated_at',
  ]
  const lucidList = (client: any, table: string) =>
    client
      .from(table)
      .select(
        ...columns.slice(0, 7).map((column) => `t.${column}`),
        client.raw(`to_char(t.published_on, 'YYYY-MM-DD') AS published_on`),
        ...columns.slice(7).map((column) => `t.${column}`),
        client.raw('count(*) OVER () AS __total')
      )
      .orderBy('t.title')
      .orderBy('t.id')
      .limit(25)
  const paged = (ctx: HttpContext, rows: Array<Record<string, unknown>>) => {
    const total = rows.length ? Number(rows[0].__total) : 0
    for (const row of rows) delete row.__total
    respond(ctx, rows, {
      pagination: { page: 1, per_page: 25, total, last_page: Math.max(1, Math.ceil(total / 25)) },
    })
  }

  // Routes are committed when listen() boots the server, so these come first.
  router
    .group(() => {
      router.get('/bench-books', async (ctx: HttpContext) => {
        await authorize(ctx, 'library-lite.books.read')
        paged(ctx, await withTenantDb((trx) => lucidList(trx, 'library_lite_books as t')))
      })
      router.get('/bench-books-qualified', async (ctx: HttpContext) => {
        await authorize(ctx, 'library-lite.books.read')
        paged(
          ctx,
          await readTenantDb((client, table) => lucidList(client, table('library_lite_books', 't')))
        )
      })
    })
    .prefix('/api/v1/library-lite')
    .use([middleware.tenant(), middleware.pluginEnabled({ plugin: 'library-lite' })])

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })

  // Bare node:http + pg: its own pool of the same size, the same SQL, the same envelope.
  const select = [
    ...columns.slice(0, 7).map((column) => `t."${column}"`),
    `to_char(t."published_on", 'YYYY-MM-DD') AS "published_on"`,
    ...columns.slice(7).map((column) => `t."${column}"`),
  ].join(', ')
  const sql = `SELECT ${select}, count(*) OVER () AS __total FROM "${tenant.schema_name}"."library_lite_books" AS t ORDER BY t."title", t."id" LIMIT 25`
  bare = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  })
  const pool = bare
  const bareServer = createServer(async (_request, response) => {
    const { rows } = await pool.query(sql)
    const total = rows.length ? Number(rows[0].__total) : 0
    for (const row of rows) delete row.__total
    const requestId = randomUUID()
    const body = JSON.stringify({
      success: true,
      data: rows,
      meta: {
        timestamp: new Date().toISOString(),
        request_id: requestId,
        pagination: { page: 1, per_page: 25, total, last_page: Math.max(1, Math.ceil(total / 25)) },
      },
      error: null,
    })
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
    })
    response.end(body)
  })
  await new Promise<void>((resolve) => bareServer.listen(0, '127.0.0.1', resolve))
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`

  const headers = {
    'x-tenant-id': slug,
    'authorization': `Bearer ${process.env.ORYNE_PLATFORM_TOKEN}`,
  }
  const variants = [
    { label: 'Resource', url: server.url + RESOURCE_PATH },
    { label: 'Lucid (withTenantDb)', url: server.url + LUCID_PATH },
    { label: 'Lucid (readTenantDb)', url: server.url + LUCID_QUALIFIED_PATH },
    { label: 'node:http + pg', url: bareUrl + RESOURCE_PATH },
  ]

  // Refuse to compare unless every variant answers 200 with the same rows.
  const bodies = await Promise.all(
    variants.map(async ({ label, url }) => {
      const response = await fetch(url, { headers })
      const body = (await response.json()) as { data: unknown; meta: { pagination: unknown } }
      if (response.status !== 200)
        throw new Error(`${label} answered ${response.status}: ${JSON.stringify(body)}`)
      return JSON.stringify([body.data, body.meta.pagination])
    })
  )
  if (new Set(bodies).size !== 1)
    throw new Error(`The variants answer differently:\n${bodies.join('\n')}`)
  const [rows] = JSON.parse(bodies[0]) as [unknown[]]
  console.log(`${rows.length} rows, ${Buffer.byteLength(bodies[0])} bytes of data and pagination`)
  console.log(
    `NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}, ` +
      `database pool max ${process.env.DATABASE_POOL_MAX ?? 10}`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmasterPid = await postmasterOf(backend[0].pid)

  const measurements: Measurement[] = []
  for (const { label, url } of variants) {
    measurements.push(
      await measureRoute(label, url, { headers, postmasterPid, connections: CONNECTIONS, duration })
    )
  }
  const [resource, lucid, lucidQualified, nodePg] = measurements.map((m) => m.result)

  printLoadTable(
    `GET ${RESOURCE_PATH} (${ROWS} rows) against a hand-written Lucid route, ${CONNECTIONS} connections, ${duration} s`,
    [{ label: 'Resource', result: resource }],
    { label: 'Lucid (withTenantDb)', result: lucid }
  )
  printLoadTable(
    'The same, against the hand-written route reading as the engine does (one statement, no transaction)',
    [{ label: 'Resource', result: resource }],
    { label: 'Lucid (readTenantDb)', result: lucidQualified }
  )
  printLoadTable(
    'The same, against bare node:http + pg',
    [{ label: 'Resource', result: resource }],
    { label: 'node:http + pg', result: nodePg }
  )
  printCpuTable(
    variants.map(({ label }) => label),
    measurements
  )
  console.log(`\nTargets (issue 4): Resource / Lucid >= 0.85, Resource / node:http + pg >= 0.60.`)
  console.log(`Load average (1 / 5 / 15 min) after: ${loadAverage()}`)
  await setTimeout(1000)
  bareServer.close()
} finally {
  await bare?.end()
  await oryne.stop()
}
