/*
 * Provisioning and `oryne migrate` through PgBouncer (transaction pooling,
 * BENCH_POOL server connections, default 5) against the same PostgreSQL
 * reached directly (the baseline). One PostgreSQL (fsync on) and Redis are
 * started here; each side runs in a process of its own, booted with its
 * DATABASE_URL, on a database of its own:
 * - BENCH_TENANTS (default 60) tenants provisioned one after another (clone),
 *   then as many again 4 at a time;
 * - every available plugin (fixtures included) enabled in each tenant;
 * - `oryne migrate` over every tenant: the first run (no fingerprints yet), the
 *   no-op check, then one new plugin migration at concurrency 1 and at
 *   concurrency 4 (as bench/migrate_fleet.ts does).
 * The platform schema is migrated directly first: Lucid's migrator holds a
 * session-level advisory lock, which transaction pooling cannot keep.
 */
process.env.LOG_LEVEL ??= 'warn'
process.env.ORYNE_PLUGIN_PATHS ??= 'tests/fixtures/plugins'

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

function numberFrom(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isInteger(value) && value > 0 ? value : fallback
}

const TENANTS = numberFrom('BENCH_TENANTS', 60)
const POOL = numberFrom('BENCH_POOL', 5)
const RESULT = 'BENCH_RESULT '

type SideResult = {
  provisionMs: number[]
  provisionParallelSeconds: number
  enableSeconds: number
  migrate: Array<{ label: string; seconds: number; migrated: number }>
}

/** One side: boots Oryne on DATABASE_URL and measures; prints its figures as one JSON line. */
async function measure(): Promise<SideResult> {
  const { bootApp } = await import('#core/runtime/ignite')
  const app = await bootApp('console')
  try {
    const plugins = await app.container.make('oryne.plugins')
    const { default: tenancy } = await import('#core/services/tenancy')
    const { FleetMigrator } = await import('#core/fleet/fleet_migrator')
    const { defineTenantMigration } =
      await import('#core/tenancy/migrations/define_tenant_migration')
    const { pool } = await import('#core/utils/pool')
    const tag = `${process.env.BENCH_SIDE}-${randomBytes(2).toString('hex')}`
    const enabled = plugins.available().map((entry) => entry.manifest.name)

    const provisionOne = async (slug: string) => {
      const tenant = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
      const { tenant: active } = await tenancy.provisionNow(tenant.id, 'bench', 'clone')
      if (active.status !== 'active') throw new Error(`${slug} ended ${active.status}`)
      return active
    }
    const tenants = []
    const provisionMs: number[] = []
    for (let i = 0; i < TENANTS; i++) {
      const started = performance.now()
      tenants.push(await provisionOne(`pgb-${tag}-s${i}`))
      provisionMs.push(performance.now() - started)
    }
    const parallelStarted = performance.now()
    await pool(
      Array.from({ length: TENANTS }, (_, i) => () => provisionOne(`pgb-${tag}-p${i}`)),
      4
    )
    const provisionParallelSeconds = (performance.now() - parallelStarted) / 1000

    const enableStarted = performance.now()
    await pool(
      tenants.map((tenant) => () => plugins.enable(tenant, enabled, { actor: 'bench' })),
      4
    )
    const enableSeconds = (performance.now() - enableStarted) / 1000

    const probe = plugins.plugin('fleet-probe')
    const migrate: SideResult['migrate'] = []
    const run = async (label: string, concurrency: number) => {
      const started = performance.now()
      const result = await new FleetMigrator(tenancy).run({ concurrency, actor: 'bench' })
      if (!result.ok) throw new Error(`${label}: ${JSON.stringify(result.counts)}`)
      migrate.push({
        label,
        seconds: (performance.now() - started) / 1000,
        migrated: result.counts.migrated,
      })
    }
    await run('First run (no fingerprints yet: every ledger read)', 4)
    await run('No-op check', 4)
    for (const [name, concurrency] of [
      ['0911_pgb_c1', 1],
      ['0912_pgb_c4', 4],
    ] as const) {
      probe.migrations!.push(
        defineTenantMigration({
          name,
          up(schema) {
            schema.alterTable('probe_items', (table) => table.integer(name.slice(5)).nullable())
          },
        })
      )
      await run(`One new migration, concurrency ${concurrency}`, concurrency)
    }
    return { provisionMs, provisionParallelSeconds, enableSeconds, migrate }
  } finally {
    await app.terminate()
  }
}

/** The platform schema, migrated over a direct connection (Lucid's session-level migration lock). */
async function prepare() {
  const { bootApp } = await import('#core/runtime/ignite')
  const app = await bootApp('console')
  const { runPlatformMigrations } = await import('#core/database/platform_migrations')
  await runPlatformMigrations(app)
  await app.terminate()
  return null
}

/** Runs one phase in a child process (its own application, booted on `databaseUrl`). */
function inChild<T>(phase: string, databaseUrl: string, redisUrl: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const runner = fileURLToPath(new URL('./run.js', import.meta.url))
    const child = spawn(process.execPath, [runner, 'pgbouncer_scale'], {
      env: { ...process.env, BENCH_SIDE: phase, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => {
      const line = output.split('\n').find((text) => text.startsWith(RESULT))
      if (code !== 0 || !line) return reject(new Error(`${phase} failed (${code}):\n${output}`))
      resolve(JSON.parse(line.slice(RESULT.length)))
    })
  })
}

if (process.env.BENCH_SIDE) {
  const figures = process.env.BENCH_SIDE === 'prepare' ? await prepare() : await measure()
  process.stdout.write(`${RESULT}${JSON.stringify(figures)}\n`)
} else {
  const { startServices } = await import('#core/runtime/services')
  const { startPgBouncer } = await import('#tests/support/pgbouncer')
  const { withDatabase } = await import('#core/runtime/test_services')
  const { default: pg } = await import('pg')
  const storageDir = await mkdtemp(join(tmpdir(), 'oryne-bench-'))
  const services = await startServices({ storageDir })
  try {
    const server = services.databaseUrl
    const admin = new pg.Client({ connectionString: server })
    await admin.connect()
    for (const database of ['bench_direct', 'bench_pgbouncer'])
      await admin.query(`CREATE DATABASE ${database}`)
    await admin.end()
    const redis = services.redisUrl!
    for (const database of ['bench_direct', 'bench_pgbouncer'])
      await inChild('prepare', withDatabase(server, database), redis)
    const bouncer = await startPgBouncer(server, POOL)
    try {
      console.log(
        `${TENANTS} tenants per side (+${TENANTS} provisioned 4 at a time); PgBouncer transaction mode, ` +
          `${POOL} server connections; PostgreSQL fsync on; ${cpus().length} cores`
      )
      console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)
      const direct = await inChild<SideResult>(
        'direct',
        withDatabase(server, 'bench_direct'),
        redis
      )
      const pooled = await inChild<SideResult>(
        'pgbouncer',
        withDatabase(bouncer.url, 'bench_pgbouncer'),
        redis
      )
      const provision = [summarize(direct.provisionMs), summarize(pooled.provisionMs)]
      const row = (label: string, baseline: number, candidate: number, digits = 1) => [
        label,
        fixed(baseline, digits),
        fixed(candidate, digits),
        fixed(candidate / baseline, 2),
      ]
      printTable(
        'Provisioning and oryne migrate: direct (baseline) vs through PgBouncer',
        ['', 'direct', 'PgBouncer', 'PgBouncer / direct'],
        [
          row('Provision one tenant p50 (ms)', provision[0].p50, provision[1].p50),
          row('Provision one tenant p95 (ms)', provision[0].p95, provision[1].p95),
          row(
            `${TENANTS} tenants, 4 at a time (s)`,
            direct.provisionParallelSeconds,
            pooled.provisionParallelSeconds,
            2
          ),
          row(
            'Enable every plugin, 4 tenants at a time (s)',
            direct.enableSeconds,
            pooled.enableSeconds,
            2
          ),
          ...direct.migrate.map((run, index) =>
            row(`migrate: ${run.label} (s)`, run.seconds, pooled.migrate[index].seconds, 2)
          ),
        ]
      )
      const migrated = pooled.migrate.map((run) => run.migrated).join(' / ')
      console.log(`Tenants migrated per run through PgBouncer: ${migrated}`)
      console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
    } finally {
      await bouncer.stop()
    }
  } finally {
    await services.stop()
    await rm(storageDir, { recursive: true, force: true })
  }
}
