/*
 * Exports of a 20,000-row list (BENCH_ROWS to change it; core/reports/exports.ts): the `erp.students`
 * list of a tenant, as its admin, written to CSV and to XLSX by the export
 * job, side by side with a floor measured in the same run:
 * - "Export CSV" / "Export XLSX": createExport() then runExport(), what the
 *   `core.report_export` job does — the list service paged by cursor (100
 *   rows a read, the list endpoint's filters, permissions and projection),
 *   the streaming writer, the file stored through core/storage;
 * - "One SELECT + CSV writer": the same rows in one statement through its own
 *   `pg` client, into the same CSV writer (no paging, no engine, no storage).
 * Every variant must write the same number of rows. Rounds alternate the
 * variants, BENCH_RUNS (default 5) rounds; the heap is sampled every 10 ms
 * during each run (its peak above the heap before the run is reported).
 */
process.env.LOG_LEVEL ??= 'warn'

import { randomUUID } from 'node:crypto'
import { rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { Tenant } from '#core/tenancy/types'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const ROWS = Number(process.env.BENCH_ROWS) || 20_000
const RUNS = Number(process.env.BENCH_RUNS) || 5

const oryne = await startOryne('web')
let bare: pg.Pool | undefined

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { tenantContext } = await import('#core/tenancy/context')
  const { withTenantDb } = await import('#core/tenancy/tenant_db')
  const { principalForRoles } = await import('#core/rbac/authorize')
  const { createExport, runExport } = await import('#core/reports/exports')
  const { rowWriter } = await import('#core/reports/export_writers')
  const plugins = await oryne.app.container.make('oryne.plugins')

  const slug = `bench-exports-${Date.now().toString(36)}`
  const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
  const { tenant } = (await tenancy.provisionNow(created.id, 'bench')) as { tenant: Tenant }
  await plugins.enable(tenant, ['erp'], { actor: 'bench' })
  const inTenant = <T>(fn: () => Promise<T>) => tenantContext.run(tenant, fn)

  await inTenant(() =>
    withTenantDb(async (trx) => {
      const [grade] = await trx
        .insertQuery()
        .table('erp_classes')
        .insert({ name: 'Grade 8', grade_level: 8 })
        .returning('id')
      await trx.rawQuery(
        `INSERT INTO erp_students (enrollment_no, first_name, last_name, date_of_birth, gender, status, class_id, admitted_on)
         SELECT 'E' || lpad(g::text, 6, '0'), 'Pupil', 'Number ' || g, date '2012-01-01' + (g % 1500),
                (ARRAY['female', 'male', 'other'])[1 + g % 3], 'active', ?, date '2025-09-01'
           FROM generate_series(1, ?) g`,
        [grade.id, ROWS]
      )
      await trx.rawQuery('ANALYZE')
    })
  )
  const { identity } = await import('#core/auth/identity')
  const { user } = await inTenant(() =>
    identity.tenantUsers.create({
      email: `head@${slug}.example`,
      role: 'TenantAdmin',
      password: 'Maple-Syrup-2031',
    })
  )
  const admin = await inTenant(() => principalForRoles('user', user.id, ['TenantAdmin']))

  /** The export job's work, as the admin; its size in bytes and its row count. */
  const viaExport = (format: 'csv' | 'xlsx') => async () => {
    const done = await inTenant(async () => {
      const row = await createExport({ resource: 'erp.students', format }, admin)
      return runExport(row.id)
    })
    if (done.status !== 'completed') throw new Error(`export ${done.status}: ${done.error}`)
    return Number(done.row_count)
  }

  // Same columns as the list: id, declared fields, timestamps (what the export writes for an admin).
  const columns = [
    'id',
    'enrollment_no',
    'first_name',
    'last_name',
    'date_of_birth',
    'gender',
    'class_id',
    'section_id',
    'user_id',
    'status',
    'contact_phone',
    'health_notes',
    'admitted_on',
    'metadata',
    'created_at',
    'updated_at',
  ]
  bare = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
  const pool = bare
  const viaOneSelect = async () => {
    const path = join(tmpdir(), `oryne-bench-${randomUUID()}.csv`)
    const { rows } = await pool.query(
      `SELECT id::text, enrollment_no, first_name, last_name, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
              gender, class_id::text, section_id::text, user_id, status, contact_phone, health_notes,
              to_char(admitted_on, 'YYYY-MM-DD') AS admitted_on, metadata, created_at, updated_at
         FROM "${tenant.schema_name}".erp_students ORDER BY enrollment_no, id`
    )
    const writer = rowWriter('csv', path, columns, 'students')
    for (const row of rows) await writer.write(row)
    await writer.close()
    await stat(path)
    await rm(path, { force: true })
    return rows.length
  }

  const variants = [
    { label: 'Export CSV', run: viaExport('csv') },
    { label: 'Export XLSX', run: viaExport('xlsx') },
    { label: 'One SELECT + CSV writer', run: viaOneSelect },
  ]
  for (const { label, run } of variants) {
    const rows = await run()
    if (rows !== ROWS) throw new Error(`${label} wrote ${rows} rows, expected ${ROWS}`)
  }
  console.log(`Checked: every variant writes all ${ROWS} rows.`)
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  const timings = variants.map(() => [] as number[])
  const heaps = variants.map(() => [] as number[])
  for (let round = 0; round < RUNS; round++) {
    for (const [i, { run }] of variants.entries()) {
      const before = process.memoryUsage().heapUsed
      let peak = before
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed)
      }, 10)
      const started = performance.now()
      await run()
      timings[i].push(performance.now() - started)
      clearInterval(sampler)
      heaps[i].push((peak - before) / 1024 ** 2)
    }
  }
  const summaries = timings.map((ms) => summarize(ms))
  const floor = summaries[2]
  printTable(
    `Export of a ${ROWS}-row list (erp.students, as TenantAdmin), one at a time`,
    ['', ...variants.map((v) => v.label)],
    [
      ['Runs', ...timings.map((ms) => String(ms.length))],
      ['p50 (ms)', ...summaries.map((s) => fixed(s.p50, 0))],
      ['max (ms)', ...summaries.map((s) => fixed(Math.max(...timings[summaries.indexOf(s)]), 0))],
      ['rows / s (p50)', ...summaries.map((s) => fixed((ROWS * 1000) / s.p50, 0))],
      ['p50 / one SELECT', ...summaries.map((s) => fixed(s.p50 / floor.p50, 2))],
      ['peak heap growth (MiB, max)', ...heaps.map((mb) => fixed(Math.max(...mb), 1))],
    ]
  )
  console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await bare?.end()
  await oryne.stop()
}
