/*
 * Statements per request on the hot paths: how many SQL statements (BEGIN,
 * set_config and COMMIT included) Oryne sends PostgreSQL for one signed-in
 * list, detail, create, search, sign-in and library issue + return. Every
 * statement any `pg` client of this process sends is counted (the
 * application's pool and queue bookkeeping alike), one request at a time,
 * with a pause between requests so that work done after the answer (search
 * indexing, webhooks, events) is not charged to the next one. Caches are warm
 * (two untimed rounds first), as on a busy server; each figure is the mean over
 * BENCH_ROUNDS rounds (default 20). Printed beside it: the goal of issue 22 and
 * the floor, the statements the same work needs when written by hand. The
 * figures before issue 22 are in docs/benchmarks.md (this file run on the
 * commit before it). The odd request above the median is background work (an
 * event handler, a notification) that ran during the next request.
 * STATEMENTS_SHOW=1 also prints the statements of the costliest round of each kind.
 *
 * Then what the tenant cache costs per active tenant: BENCH_TENANTS (default
 * 200) more tenants are provisioned, and each has its registry look-up, role
 * permissions, custom fields and webhook endpoints read through the cache (the
 * reads every request of a tenant makes); the heap after a full GC, before and
 * after, divided by the tenants, against issue 22's goal of 5 KiB.
 */
process.env.LOG_LEVEL ??= 'warn'
process.env.ORYNE_RATE_LIMIT_USER ??= 'off'
process.env.ORYNE_RATE_LIMIT_ADMIN ??= 'off'
process.env.ORYNE_RATE_LIMIT_LOGIN ??= 'off'
process.env.ORYNE_RATE_LIMIT_ANONYMOUS ??= 'off'
process.env.ORYNE_BACKUP_SCHEDULE ??= 'off'

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import pg from 'pg'
import { listen } from '#core/http/listen'
import type { Tenant } from '#core/tenancy/types'
import { startOryne } from './support/oryne.js'
import { fixed, printTable } from './support/report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 20
const PAUSE_MS = 400
const PASSWORD = 'Maple-Syrup-2031'
const show = process.env.STATEMENTS_SHOW === '1'

/** Every statement this process sends, while `recording` is set. */
let recording: string[] | null = null
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text
  recording?.push(
    String(text ?? '?')
      .replace(/\s+/g, ' ')
      .slice(0, 160)
  )
  return query.apply(this, args)
} as typeof pg.Client.prototype.query

/** What one kind of request is: its name, the goal, the hand-written floor and the call. */
type Kind = { name: string; goal: string; floor: number; run: () => Promise<void> }

const oryne = await startOryne('web')
try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { identity } = await import('#core/auth/identity')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-statements-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: 'Statements' }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['erp', 'lms', 'library'], { actor: 'bench' })
  const admin = `admin@${slug}.example`
  const librarian = `librarian@${slug}.example`
  const barcodes = await tenantContext.run(tenant, async () => {
    await identity.tenantUsers.create({ email: admin, role: 'TenantAdmin', password: PASSWORD })
    await identity.tenantUsers.create({ email: librarian, role: 'Staff', password: PASSWORD })
    return withTenantDb(async (trx) => {
      await trx.rawQuery(
        `INSERT INTO erp_students (enrollment_no, first_name, last_name)
         SELECT 'S' || lpad(g::text, 5, '0'), 'Pupil', 'Number ' || g FROM generate_series(1, 300) g`
      )
      await trx.rawQuery(
        `INSERT INTO library_members (kind, student_id, card_no)
         SELECT 'student', id, 'M' || id FROM erp_students`
      )
      const [title] = await trx
        .insertQuery()
        .table('library_titles')
        .insert({ title: 'Counted' })
        .returning('id')
      await trx.rawQuery(
        `INSERT INTO library_copies (title_id, barcode, status)
         SELECT ?, 'C' || lpad(g::text, 4, '0'), 'available' FROM generate_series(1, 50) g`,
        [title.id]
      )
      await trx.rawQuery('ANALYZE')
      const copies = await trx.from('library_copies').orderBy('barcode').select('barcode')
      return copies.map((copy) => copy.barcode as string)
    })
  })
  const { rows: students } = await db.rawQuery(
    `SELECT id::text FROM "${tenant.schema_name}".erp_students ORDER BY id LIMIT 50`
  )

  const server = await listen(oryne.app, { host: '127.0.0.1', port: 0 })
  async function call(path: string, init: RequestInit = {}, token?: string, expected = 200) {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        'x-tenant-id': slug,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    })
    const body = (await response.json()) as any
    if (response.status !== expected) {
      throw new Error(
        `${init.method ?? 'GET'} ${path} answered ${response.status}: ${JSON.stringify(body)}`
      )
    }
    return body
  }
  async function signIn(email: string) {
    const body = JSON.stringify({ email, password: PASSWORD })
    const signedIn = await call('/auth/login', { method: 'POST', body })
    return signedIn.data.access_token as string
  }
  const adminToken = await signIn(admin)
  const librarianToken = await signIn(librarian)

  let round = 0
  const kinds: Kind[] = [
    {
      name: 'list (25 students)',
      goal: '2',
      floor: 1,
      run: async () => void (await call('/erp/students?per_page=25', {}, adminToken)),
    },
    {
      name: 'detail',
      goal: '2',
      floor: 1,
      run: async () =>
        void (await call(`/erp/students/${students[round % students.length].id}`, {}, adminToken)),
    },
    {
      name: 'create',
      goal: '-',
      // INSERT ... RETURNING and the audit entry, in one transaction (BEGIN, COMMIT).
      floor: 4,
      run: async () =>
        void (await call(
          '/erp/students',
          {
            method: 'POST',
            body: JSON.stringify({
              enrollment_no: `N-${Date.now().toString(36)}-${round}`,
              first_name: 'Counted',
              last_name: `Writer ${round}`,
            }),
          },
          adminToken,
          201
        )),
    },
    {
      name: 'search',
      goal: '2',
      floor: 1,
      run: async () => void (await call(`/search?q=number%20${1 + (round % 300)}`, {}, adminToken)),
    },
    {
      name: 'sign-in',
      goal: '≤ 5 + hash read',
      // Read the account and its hash; one statement records the sign-in, the session and its token.
      floor: 2,
      run: async () => void (await signIn(admin)),
    },
    {
      name: 'library issue + return',
      goal: '≤ 14',
      // Two transactions of lock, insert or update, status update (as bench/library_circulation.ts).
      floor: 8,
      run: async () => {
        const barcode = barcodes[round % barcodes.length]
        const student = students[round % students.length].id
        await call(
          '/library/circulation/issue',
          { method: 'POST', body: JSON.stringify({ barcode, student_id: student }) },
          librarianToken,
          201
        )
        await call(
          '/library/circulation/return',
          { method: 'POST', body: JSON.stringify({ barcode }) },
          librarianToken
        )
      },
    },
  ]

  const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
  const counts = new Map<string, number[]>()
  const last = new Map<string, string[]>()
  for (round = 0; round < ROUNDS + 2; round++) {
    for (const kind of kinds) {
      await pause()
      recording = []
      await kind.run()
      const statements = recording
      recording = null
      // The first two rounds warm the caches and are not counted.
      if (round < 2) continue
      const previous = counts.get(kind.name) ?? []
      if (statements.length > Math.max(0, ...previous)) last.set(kind.name, statements)
      counts.set(kind.name, [...previous, statements.length])
    }
  }

  printTable(
    `Statements per request, mean of ${ROUNDS} rounds (caches warm), NODE_ENV=${process.env.NODE_ENV ?? 'development'}`,
    ['request', 'statements (mean)', 'median', 'min', 'max', 'goal (issue 22)', 'floor (by hand)'],
    kinds.map((kind) => {
      const values = counts.get(kind.name)!
      const sorted = [...values].sort((a, b) => a - b)
      return [
        kind.name,
        fixed(values.reduce((a, b) => a + b, 0) / values.length, 1),
        String(sorted[Math.floor(sorted.length / 2)]),
        String(Math.min(...values)),
        String(Math.max(...values)),
        kind.goal,
        String(kind.floor),
      ]
    })
  )
  await heapPerTenant()
  if (show) {
    for (const kind of kinds) {
      console.log(`\n${kind.name}:`)
      for (const statement of last.get(kind.name)!) console.log(`  ${statement}`)
    }
  }
} finally {
  await oryne.stop()
}

/** Heap per active tenant held by the tenant cache's four kinds (see the header). */
async function heapPerTenant() {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { permissionsByRole } = await import('#core/rbac/authorize')
  const { customFieldsByResource } = await import('#core/resources/custom_fields')
  const { enabledEndpoints } = await import('#core/webhooks/endpoints')
  const { tenantCache } = await import('#core/cache/index')
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  const count = Number(process.env.BENCH_TENANTS) || 200
  const tenants: Tenant[] = []
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const created = await tenancy.registry.create(
      { slug: `bench-heap-${i}-${Date.now().toString(36)}`, name: `Heap ${i}` },
      'bench'
    )
    tenants.push(((await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }).tenant)
  }
  const touch = (tenant: Tenant) =>
    tenantContext.run(tenant, async () => {
      await tenancy.registry.findCached(tenant.slug)
      await permissionsByRole()
      await customFieldsByResource()
      await enabledEndpoints()
    })
  // One tenant first, so that code paths and module state are not charged to the others.
  await touch(tenants[0])
  const before = heap()
  const cachedBefore = tenantCache.stats()
  for (const tenant of tenants.slice(1)) await touch(tenant)
  const growth = (heap() - before) / (count - 1)
  const cached = tenantCache.stats()
  printTable(
    `Tenant cache: heap per active tenant (${count} tenants provisioned in ${fixed((performance.now() - started) / 1000, 1)} s)`,
    ['', 'figure', 'goal (issue 22)'],
    [
      ['heap growth per tenant (after GC)', `${fixed(growth / 1024, 2)} KiB`, '≤ 5 KiB'],
      [
        'cache entries per tenant',
        fixed((cached.entries - cachedBefore.entries) / (count - 1), 1),
        '',
      ],
      [
        'estimated cache bytes per tenant',
        `${fixed((cached.bytes - cachedBefore.bytes) / (count - 1) / 1024, 2)} KiB`,
        '',
      ],
    ]
  )
}
