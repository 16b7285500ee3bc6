/*
 * How long enabling every available plugin on one tenant takes: one
 * `plugins.enable(tenant, names)` call (dependencies ordered, every plugin's
 * migrations in the tenant schema, default grants, tenant_plugins rows, one
 * transaction), on fresh tenants, p50 over several. Until Oryne ships built-in
 * plugins, the test fixtures stand in (ORYNE_PLUGIN_PATHS=tests/fixtures/plugins
 * unless set). PostgreSQL runs with fsync on, as every enable commits DDL;
 * BENCH_FSYNC=off measures the throwaway cluster's setting instead.
 */
process.env.LOG_LEVEL ??= 'warn'
process.env.ORYNE_PLUGIN_PATHS ??= 'tests/fixtures/plugins'

import { randomBytes } from 'node:crypto'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize } from './support/stats.js'

const WARM_UP_TENANTS = 3

/** Tenants measured; BENCH_TENANTS shortens a run while iterating. */
function tenantCount(fallback = 30) {
  const count = Number(process.env.BENCH_TENANTS)
  return Number.isInteger(count) && count > 0 ? count : fallback
}

const durable = process.env.BENCH_FSYNC !== 'off'
const oryne = await startOryne('console', { durable })

try {
  const { default: tenancy } = await import('#core/services/tenancy')
  const { compileSet } = await import('#core/tenancy/migrations/tenant_migrator')
  const plugins = tenancy.plugins
  const names = plugins.available().map(({ manifest }) => manifest.name)
  const migrations = names.flatMap((name) =>
    compileSet({ owner: name, migrations: plugins.plugin(name).migrations ?? [] })
  )
  const statements = migrations.reduce((sum, migration) => sum + migration.sql.length, 0)
  console.log(`Plugins (${names.length}): ${names.join(', ')}`)
  console.log(`Their migrations: ${migrations.length}, ${statements} statements`)
  console.log(
    `NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}, PostgreSQL fsync=${durable ? 'on' : 'off'}`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  /** A fresh active tenant (not timed), then the one enable call (timed). */
  async function enableAllOnce() {
    const slug = `bench-pe-${randomBytes(4).toString('hex')}`
    const created = await tenancy.registry.create({ slug, name: `Bench ${slug}` }, 'bench')
    const { tenant } = await tenancy.provisionNow(created.id, 'bench')
    const started = performance.now()
    const enabled = await plugins.enable(tenant, names, { actor: 'bench' })
    const elapsed = performance.now() - started
    if (enabled.length !== names.length)
      throw new Error(`Enabled ${enabled.length} of ${names.length} plugins on ${slug}`)
    return elapsed
  }

  for (let i = 0; i < WARM_UP_TENANTS; i++) await enableAllOnce()
  const count = tenantCount()
  const samples: number[] = []
  for (let i = 0; i < count; i++) samples.push(await enableAllOnce())
  const summary = summarize(samples)
  printTable(
    `Enable every available plugin (${names.length}) on a fresh tenant, ${count} tenants`,
    ['', 'ms'],
    [
      ['p50', fixed(summary.p50, 1)],
      ['p95', fixed(summary.p95, 1)],
      ['mean', fixed(summary.mean, 1)],
      ['per plugin, p50', fixed(summary.p50 / names.length, 1)],
    ]
  )
  console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await oryne.stop()
}
