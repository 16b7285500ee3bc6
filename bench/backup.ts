/*
 * Per-tenant backup and restore of a tenant with BENCH_ROWS (default 100,000)
 * rows across its tables: users, audit_log and the fleet-probe plugin's
 * probe_items (text, integers, JSON, bytes). Each round takes a backup
 * (`createTenantBackup`, as `oryne backup create` does), verifies it, and
 * restores it under a new slug (`restoreTenantBackup --as`); it reports the
 * times and the archive size. PostgreSQL runs with fsync on.
 */
process.env.LOG_LEVEL ??= 'warn'
process.env.ORYNE_PLUGIN_PATHS ??= 'tests/fixtures/plugins'

import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const ROWS = Number(process.env.BENCH_ROWS) || 100_000
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3
const oryne = await startOryne('console', { durable: process.env.BENCH_FSYNC !== 'off' })
const dir = await mkdtemp(join(tmpdir(), 'oryne-bench-backup-'))
process.env.ORYNE_BACKUP_DIR = dir

try {
  const plugins = await oryne.app.container.make('oryne.plugins')
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { createTenantBackup } = await import('#core/backup/create')
  const { restoreTenantBackup, verifyBackup } = await import('#core/backup/restore')

  const created = await tenancy.registry.create(
    { slug: `big-${randomBytes(3).toString('hex')}`, name: 'Big School' },
    'bench'
  )
  const { tenant } = await tenancy.provisionNow(created.id, 'bench', 'clone')
  await plugins.enable(tenant, ['fleet-probe'], { actor: 'bench' })

  // 20% users, 20% audit entries, 60% plugin rows, inserted in batches of 1,000.
  const schema = tenant.schema_name
  const users = Math.floor(ROWS * 0.2)
  const audit = Math.floor(ROWS * 0.2)
  const items = ROWS - users - audit
  const batches = async (count: number, insert: (from: number, to: number) => Promise<unknown>) => {
    for (let from = 0; from < count; from += 1000) await insert(from, Math.min(count, from + 1000))
  }
  await batches(users, (from, to) =>
    db.rawQuery(
      `INSERT INTO "${schema}".users (email, name) SELECT 'user' || g || '@big.example', 'User ' || g FROM generate_series(?::int, ?::int - 1) g`,
      [from, to]
    )
  )
  await batches(audit, (from, to) =>
    db.rawQuery(
      `INSERT INTO "${schema}".audit_log (actor, action, subject, data)
       SELECT 'user:' || g, 'probe.update', 'probe_items/' || g, jsonb_build_object('before', g, 'after', g + 1)
         FROM generate_series(?::int, ?::int - 1) g`,
      [from, to]
    )
  )
  await batches(items, (from, to) =>
    db.rawQuery(
      `INSERT INTO "${schema}".probe_items (label, amount_minor, data, blob, flag)
       SELECT 'Item ' || g || E'\\twith a tab', g * 100, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b')),
              decode(md5(g::text), 'hex'), g % 2 = 0
         FROM generate_series(?::int, ?::int - 1) g`,
      [from, to]
    )
  )
  const { rows: counted } = await db.rawQuery(
    `SELECT (SELECT count(*) FROM "${schema}".users) + (SELECT count(*) FROM "${schema}".audit_log)
          + (SELECT count(*) FROM "${schema}".probe_items) AS rows`
  )
  console.log(`Tenant ${tenant.slug}: ${counted[0].rows} rows (users, audit_log, probe_items)`)
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  const backupMs: number[] = []
  const verifyMs: number[] = []
  const restoreMs: number[] = []
  let size = 0
  let rows = 0
  for (let round = 1; round <= ROUNDS; round++) {
    let started = performance.now()
    const archive = await createTenantBackup(tenant, { reason: 'bench', actor: 'bench' })
    backupMs.push(performance.now() - started)
    size = archive.size
    rows = archive.rows

    started = performance.now()
    await verifyBackup(tenancy, archive.path)
    verifyMs.push(performance.now() - started)

    started = performance.now()
    const restored = await restoreTenantBackup(tenancy, archive.path, {
      as: `copy-${round}-${randomBytes(3).toString('hex')}`,
      actor: 'bench',
    })
    restoreMs.push(performance.now() - started)
    if (restored.rows !== archive.rows)
      throw new Error(`restored ${restored.rows} of ${archive.rows} rows`)
    console.log(
      `Round ${round}: backup ${fixed(backupMs.at(-1)! / 1000, 2)} s, restore ${fixed(restoreMs.at(-1)! / 1000, 2)} s`
    )
  }

  const row = (label: string, samples: number[]) => {
    const summary = summarize(samples)
    return [
      label,
      fixed(summary.p50 / 1000, 2),
      fixed(Math.min(...samples) / 1000, 2),
      fixed(Math.max(...samples) / 1000, 2),
    ]
  }
  printTable(
    `Tenant backup and restore: ${rows} rows, archive ${fixed(size / 1024 / 1024, 2)} MB, ${ROUNDS} rounds`,
    ['', 'median (s)', 'min (s)', 'max (s)'],
    [
      row('backup create', backupMs),
      row('backup verify', verifyMs),
      row('restore --as (new tenant)', restoreMs),
    ]
  )
  console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await oryne.stop()
  await rm(dir, { recursive: true, force: true })
}
