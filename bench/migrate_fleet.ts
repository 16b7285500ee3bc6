/*
 * `oryne migrate` across a fleet: BENCH_TENANTS (default 1,000) tenants with
 * every available plugin enabled (the fixture plugins of tests/fixtures/plugins
 * included, so that each tenant has plugin tables), then:
 * - the first run, which has no fingerprints yet and reads every ledger;
 * - the no-op check: every tenant up to date, decided from the fingerprints;
 * - one new plugin migration (an ALTER TABLE) applied everywhere at
 *   concurrency 1, then another at concurrency BENCH_CONCURRENCY (default 4).
 * The new migrations are added to the loaded fleet-probe manifest in process,
 * as a plugin upgrade would ship them. PostgreSQL runs with fsync on.
 */
process.env.LOG_LEVEL ??= 'warn'
process.env.ORYNE_PLUGIN_PATHS ??= 'tests/fixtures/plugins'

import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { cpuWindow, postmasterOf } from './support/cpu.js'

function numberFrom(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isInteger(value) && value > 0 ? value : fallback
}

const TENANTS = numberFrom('BENCH_TENANTS', 1000)
const CONCURRENCY = numberFrom('BENCH_CONCURRENCY', 4)
/** Tenants provisioned at once while the fleet is built. */
const SETUP_CONCURRENCY = numberFrom('BENCH_SETUP_CONCURRENCY', 3)
const oryne = await startOryne('console', { durable: process.env.BENCH_FSYNC !== 'off' })

try {
  const plugins = await oryne.app.container.make('oryne.plugins')
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { FleetMigrator } = await import('#core/fleet/fleet_migrator')
  const { defineTenantMigration } = await import('#core/tenancy/migrations/define_tenant_migration')
  const { pool } = await import('#tests/support/concurrency')

  const enabled = plugins
    .available()
    .map((entry) => entry.manifest.name)
    .sort()
  const { compileSet } = await import('#core/tenancy/migrations/tenant_migrator')
  const tenantSchema = [
    ...tenancy.migrationSets(),
    ...enabled.map((name) => ({ owner: name, migrations: plugins.plugin(name).migrations ?? [] })),
  ].flatMap(compileSet)
  console.log(
    `Plugins enabled in every tenant: ${enabled.length} (${enabled.join(', ')}); each tenant schema holds ` +
      `${tenantSchema.length} migrations, ${tenantSchema.reduce((sum, migration) => sum + migration.sql.length, 0)} statements`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  // The fleet is built the way production provisions (core/tenancy/schema_templates.ts): every
  // tenant asks for its plugins at creation and takes a prepared schema when one is ready, else
  // the whole schema as one script (`clone`); a template taken is rebuilt in the background.
  const setupStarted = performance.now()
  const tag = randomBytes(2).toString('hex')
  const methods = new Map<string, number>()
  const plan = tenancy.provisioner.schemaPlan(enabled)
  await tenancy.provisioner.templates.replenish(plan)
  let built = 0
  await pool(
    Array.from({ length: TENANTS }, (_, i) => async () => {
      const tenant = await tenancy.registry.create(
        { slug: `fleet-${tag}-${i}`, name: `Fleet ${i}`, plugins: enabled },
        'bench'
      )
      const { tenant: active } = await tenancy.provisionNow(tenant.id, 'bench', 'template')
      const method = String(active.provisioning.method)
      methods.set(method, (methods.get(method) ?? 0) + 1)
      if (++built % 100 === 0)
        console.log(
          `  ${built} tenants in ${fixed((performance.now() - setupStarted) / 1000, 1)} s (load ${loadAverage()})`
        )
    }),
    SETUP_CONCURRENCY
  )
  await tenancy.provisioner.templates.settled()
  const { rows: counted } = await db.rawQuery(
    `SELECT count(*)::int AS tenants,
            count(*) FILTER (WHERE (SELECT count(*) FROM tenant_plugins p WHERE p.tenant_id = t.id AND p.status = 'enabled') = ?)::int AS complete
       FROM tenants t WHERE t.slug LIKE ? AND t.status = 'active'`,
    [enabled.length, `fleet-${tag}-%`]
  )
  if (counted[0].tenants !== TENANTS || counted[0].complete !== TENANTS)
    throw new Error(`Fleet incomplete: ${JSON.stringify(counted[0])}`)
  console.log(
    `${TENANTS} tenants provisioned with ${enabled.length} plugins in ${fixed((performance.now() - setupStarted) / 1000, 1)} s, ` +
      `${SETUP_CONCURRENCY} at a time (${[...methods].map(([m, n]) => `${m}: ${n}`).join(', ')})`
  )

  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmaster = await postmasterOf(backend[0].pid)
  const probe = plugins.plugin('fleet-probe')

  /** One `oryne migrate` run over the fleet, as the command runs it. */
  async function run(label: string, concurrency: number) {
    const window = await cpuWindow(postmaster)
    const started = performance.now()
    const result = await new FleetMigrator(tenancy).run({ concurrency, actor: 'bench' })
    const seconds = (performance.now() - started) / 1000
    const cpu = await window.finish()
    if (!result.ok) throw new Error(`${label}: ${JSON.stringify(result.counts)}`)
    console.log(`${label}: ${JSON.stringify(result.counts)}`)
    return { label, seconds, result, cpu }
  }

  /** Ships one more fleet-probe migration, as a new plugin version would. */
  function release(name: string) {
    probe.migrations!.push(
      defineTenantMigration({
        name,
        up(schema) {
          schema.alterTable('probe_items', (table) => table.integer(name.slice(5)).nullable())
        },
      })
    )
  }

  const first = await run('First run (no fingerprints yet: every ledger read)', CONCURRENCY)
  const noop = await run('No-op check', CONCURRENCY)
  const noopAgain = await run('No-op check, again', CONCURRENCY)
  release('0901_bench_c1')
  const sequential = await run('One new migration, concurrency 1', 1)
  release('0902_bench_cn')
  const parallel = await run(`One new migration, concurrency ${CONCURRENCY}`, CONCURRENCY)

  printTable(
    `oryne migrate over ${TENANTS} tenants (${enabled.length} plugins each)`,
    ['', 'seconds', 'ms per tenant', 'migrated', 'machine busy', 'other processes'],
    [first, noop, noopAgain, sequential, parallel].map(({ label, seconds, result, cpu }) => [
      label,
      fixed(seconds, 2),
      fixed((seconds * 1000) / TENANTS, 2),
      String(result.counts.migrated),
      `${fixed(100 * cpu.machineBusy, 0)}%`,
      `${fixed(100 * cpu.othersBusy, 0)}%`,
    ])
  )
  console.log(`(of ${cpus().length} cores)`)
  console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await oryne.stop()
}
