/*
 * How long a new tenant takes from request to active, by the three ways its
 * schema can be built: `template` renames a prepared schema (built ahead of
 * time for the same plugins: core/tenancy/schema_templates.ts); `clone` sends
 * every statement of the tenant schema (core's and the plugins' migrations)
 * and its ledger rows as one script, in one round trip; `replay` applies the
 * migrations one statement per round trip. All run the same pipeline
 * otherwise (one transaction: schema, migrations, seeded roles, invited admin,
 * plugins' grants and records, activation). Tenants of the three methods
 * alternate in one process, so drift weighs on all alike. The prepared schema
 * a `template` tenant took is rebuilt after its commit, off the request path;
 * the run waits for that build before the next tenant (so that no build
 * overlaps a timed provisioning) and reports how long a build takes. A second round repeats the measurement once
 * the database holds the first round's tenants. PostgreSQL runs with fsync on,
 * as in production, since every tenant ends in a commit of its DDL;
 * BENCH_FSYNC=off measures the throwaway cluster's setting instead.
 * Tenants are provisioned with every built-in plugin enabled (issue 22's
 * case; BENCH_PLUGINS=none for core alone), and the run states how many
 * plugins, migrations and statements their schema holds.
 */
process.env.LOG_LEVEL ??= 'warn'

import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import type { MigrationMethod } from '#core/tenancy/migrations/tenant_migrator'
import { cpuWindow, postmasterOf } from './support/cpu.js'
import { startOryne } from './support/oryne.js'
import { fixed, loadAverage, printTable } from './support/report.js'
import { summarize, type Summary } from './support/stats.js'

const METHODS: MigrationMethod[] = ['template', 'clone', 'replay']
const ROUNDS = 2
const withPlugins = process.env.BENCH_PLUGINS !== 'none'
// A tenant with every plugin takes ten times longer: fewer of them keep the run within minutes.
const WARM_UP_TENANTS = withPlugins ? 6 : 21

/** Tenants per method and round; BENCH_TENANTS shortens a run while iterating. */
function tenantsPerMethod(fallback = 200) {
  const count = Number(process.env.BENCH_TENANTS)
  return Number.isInteger(count) && count > 0 ? count : fallback
}

type Timing = { requestToActiveMs: number; provisionMs: number; prepareMs: number }

const perMethod = tenantsPerMethod(withPlugins ? 20 : 200)
const durable = process.env.BENCH_FSYNC !== 'off'
const oryne = await startOryne('console', { durable })

try {
  // These services resolve from the booted application, so they are imported after boot.
  const { default: tenancy } = await import('#core/services/tenancy')
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { compileSet } = await import('#core/tenancy/migrations/tenant_migrator')
  const host = await oryne.app.container.make('oryne.plugins')
  const builtIn = host
    .available()
    .filter((entry) => entry.source.startsWith('plugins/'))
    .map((entry) => entry.manifest)
  const plugins = withPlugins ? builtIn : []

  let created = 0

  /** Registers one tenant and provisions it with `method`, timing both spans. */
  async function provisionOne(method: MigrationMethod): Promise<Timing> {
    created += 1
    const slug = `bench-${method[0]}-${created}-${randomBytes(3).toString('hex')}`
    const requested = performance.now()
    const tenant = await tenancy.registry.create(
      {
        slug,
        name: `Bench ${slug}`,
        adminEmail: `admin@${slug}.example`,
        ...(plugins.length ? { plugins: plugins.map((plugin) => plugin.name) } : {}),
      },
      'bench'
    )
    const started = performance.now()
    const { tenant: active } = await tenancy.provisionNow(tenant.id, 'bench', method)
    const finished = performance.now()
    if (active.status !== 'active' || active.provisioning.method !== method) {
      throw new Error(`Tenant ${slug} ended ${active.status} (${active.provisioning.method})`)
    }
    // The prepared schema this tenant took is replaced in the background: wait, so no build overlaps.
    await tenancy.provisioner.templates.settled()
    return {
      requestToActiveMs: finished - requested,
      provisionMs: finished - started,
      prepareMs: performance.now() - finished,
    }
  }

  /** Provisions `count` tenants per method, alternating template, clone, replay, template, ... */
  async function interleaved(count: number) {
    const timings = new Map<MigrationMethod, Timing[]>(METHODS.map((method) => [method, []]))
    for (let i = 0; i < count; i++) {
      for (const method of METHODS) timings.get(method)!.push(await provisionOne(method))
    }
    return timings
  }

  async function activeTenants() {
    const { rows } = await db.rawQuery(
      `SELECT count(*)::int AS total FROM tenants WHERE status = 'active'`
    )
    return rows[0].total as number
  }

  /** Tables in the newest tenant schema of each method: both must build the same schema. */
  async function tablesByMethod() {
    const { rows } = await db.rawQuery(
      `SELECT DISTINCT ON (provisioning->>'method') provisioning->>'method' AS method,
         (SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables
           WHERE table_schema = tenants.schema_name) AS tables
       FROM tenants WHERE status = 'active' ORDER BY provisioning->>'method', created_at DESC`
    )
    return rows as Array<{ method: MigrationMethod; tables: string }>
  }

  const { rows: backend } = await db.rawQuery('SELECT pg_backend_pid() AS pid')
  const postmasterPid = await postmasterOf(backend[0].pid)

  const migrations = [
    ...tenancy.migrationSets(),
    ...plugins.map((plugin) => ({ owner: plugin.name, migrations: plugin.migrations ?? [] })),
  ].flatMap(compileSet)
  const statements = migrations.reduce((sum, migration) => sum + migration.sql.length, 0)
  console.log(
    `Tenant schema: core and ${plugins.length} plugins (${plugins.map((p) => p.name).join(', ') || 'none'}), ` +
      `${migrations.length} migrations, ${statements} statements`
  )
  console.log(
    `NODE_ENV=${process.env.NODE_ENV}, LOG_LEVEL=${process.env.LOG_LEVEL}, PostgreSQL fsync=${durable ? 'on' : 'off'}`
  )
  console.log(`Load average (1 / 5 / 15 min) before: ${loadAverage()}`)

  const preparing = performance.now()
  const plan = tenancy.provisioner.schemaPlan(plugins.map((plugin) => plugin.name))
  await tenancy.provisioner.templates.replenish(plan)
  const prepared = await tenancy.provisioner.templates.list()
  console.log(
    `Prepared schemas for this plan built in ${fixed(performance.now() - preparing, 0)} ms: ` +
      prepared.join(', ')
  )
  console.log(`Warming up: ${WARM_UP_TENANTS} tenants, alternating methods`)
  await interleaved(WARM_UP_TENANTS / METHODS.length)
  const schemas = await tablesByMethod()
  if (schemas.length !== METHODS.length || new Set(schemas.map((s) => s.tables)).size !== 1) {
    throw new Error(`the methods built different schemas: ${JSON.stringify(schemas)}`)
  }
  console.log(
    `Every method builds the same tables (tests/functional/tenant_templates.spec.ts compares whole catalogs): ${schemas[0].tables}`
  )

  for (let round = 1; round <= ROUNDS; round++) {
    const before = await activeTenants()
    console.log(`Round ${round}: ${perMethod} tenants per method, ${before} active tenants before`)
    const window = await cpuWindow(postmasterPid)
    const timings = await interleaved(perMethod)
    const cpu = await window.finish()
    const after = await activeTenants()

    const summaries = (span: keyof Timing) =>
      METHODS.map((method) => summarize(timings.get(method)!.map((timing) => timing[span])))
    const rows = (label: string, [template, clone, replay]: Summary[]) =>
      (['p50', 'p95', 'mean'] as const).map((figure) => [
        `${label} ${figure} (ms)`,
        fixed(template[figure], 1),
        fixed(clone[figure], 1),
        fixed(replay[figure], 1),
        fixed(clone[figure] / template[figure], 2),
      ])
    printTable(
      `Tenant provisioning, round ${round}: ${perMethod} tenants per method, ${before} → ${after} active tenants`,
      ['', 'template', 'clone (one script)', 'replay', 'clone / template'],
      [
        ...rows('Request to active', summaries('requestToActiveMs')),
        ...rows('Provision', summaries('provisionMs')),
      ]
    )
    const prepare = summarize(timings.get('template')!.map((timing) => timing.prepareMs))
    console.log(
      `Building the prepared schema a template tenant took, after its commit (off the request path): ` +
        `p50 ${fixed(prepare.p50, 1)} ms, p95 ${fixed(prepare.p95, 1)} ms`
    )
    console.log(
      `CPU during the round (${fixed(cpu.wallMs / 1000, 1)} s): machine ${fixed(100 * cpu.machineBusy, 0)}% busy ` +
        `(of ${cpus().length} cores), other processes ${fixed(100 * cpu.othersBusy, 0)}%`
    )
  }
  console.log(`\nLoad average (1 / 5 / 15 min) after: ${loadAverage()}`)
} finally {
  await oryne.stop()
}
