import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { runOryne } from '#tests/support/cli'
import { pool } from '#tests/support/concurrency'
import { activeTenant, uniqueSlug } from '#tests/support/tenants'
import type { Tenant } from '#core/tenancy/types'

const PROBE = 'fleet-probe'
const NOTE = `${PROBE}/0002_probe_items_note`
const TAGS = `${PROBE}/0003_probe_tags`

/** How many migrations fleet-probe ships in this process: the fixture decides once, when loaded. */
const BOOTED = Number(process.env.ORYNE_FLEET_PROBE_MIGRATIONS ?? 1)

/**
 * `oryne migrate ...` with fleet-probe shipping its first `shipped`
 * migrations. Any release but this process's is a real process, as a deploy
 * of new code is; this process's release runs here.
 */
async function migrate(args: string[], shipped = 2, env: Record<string, string> = {}) {
  const release = shipped === BOOTED ? {} : { ORYNE_FLEET_PROBE_MIGRATIONS: String(shipped) }
  const result = await runOryne(['migrate', ...args], { ...release, ...env }, 120_000)
  let body: any = null
  if (args.includes('--json')) {
    try {
      body = JSON.parse(result.stdout)
    } catch {
      throw new Error(
        `oryne migrate ${args.join(' ')} printed no JSON:\n${result.stdout}\n${result.stderr}`
      )
    }
  }
  return { ...result, body }
}

/**
 * `count` active tenants with fleet-probe enabled at its first migration, made
 * in this process (`parallel` at a time: 1 keeps their creation order).
 */
async function probeFleet(count: number, label: string, parallel = 4) {
  const plugins = await app.container.make('oryne.plugins')
  const prefix = uniqueSlug(label)
  return pool(
    Array.from({ length: count }, (_, i) => async () => {
      const tenant = await activeTenant({ slug: `${prefix}-${i}` })
      await plugins.enable(tenant, [PROBE], { actor: 'test' })
      return tenant
    }),
    parallel
  )
}

async function ledgerOf(tenant: Tenant, owner = PROBE) {
  const { rows } = await db.rawQuery(
    `SELECT owner || '/' || name AS migration FROM "${tenant.schema_name}".oryne_migrations
      WHERE owner = ? ORDER BY name`,
    [owner]
  )
  return rows.map((row: { migration: string }) => row.migration)
}

async function columnsOf(tenant: Tenant, table: string) {
  const { rows } = await db.rawQuery(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
    [tenant.schema_name, table]
  )
  return rows.map((row: { column_name: string }) => row.column_name)
}

const slugs = (tenants: Tenant[]) => tenants.map((tenant) => tenant.slug)

test.group('oryne migrate across the fleet', () => {
  test('a new plugin migration reaches 50 tenants in parallel; a broken one is reported, a rerun after the fix completes', async ({
    assert,
  }) => {
    const fleet = await probeFleet(50, 'fleet')
    const broken = fleet[17]
    // The column the new migration adds is already there: its ALTER fails in this tenant only.
    await db.rawQuery(`ALTER TABLE "${broken.schema_name}".probe_items ADD COLUMN note text`)

    const first = await migrate([
      '--tenant',
      ...slugs(fleet),
      '--concurrency',
      '4',
      '--skip-failing',
      '--json',
    ])
    assert.equal(first.code, 1, first.stderr)
    assert.isFalse(first.body.ok)
    assert.equal(first.body.error.code, 'ERR_MIGRATION_FAILED')
    assert.include(first.body.counts, { tenants: 50, migrated: 49, failed: 1, not_started: 0 })
    const failed = first.body.tenants.find((t: any) => t.status === 'failed')
    assert.equal(failed.tenant, broken.slug)
    assert.equal(failed.error.migration, NOTE)
    assert.match(failed.error.message, /already exists/)

    for (const tenant of fleet) {
      const expected =
        tenant === broken ? [`${PROBE}/0001_probe_items`] : [`${PROBE}/0001_probe_items`, NOTE]
      assert.deepEqual(await ledgerOf(tenant), expected, tenant.slug)
    }
    const state = await db.from('tenant_migration_state').where('tenant_id', broken.id).first()
    assert.isNull(state.fingerprint)
    assert.equal(state.last_error.migration, NOTE)

    await db.rawQuery(`ALTER TABLE "${broken.schema_name}".probe_items DROP COLUMN note`)
    const rerun = await migrate(['--tenant', ...slugs(fleet), '--json'])
    assert.equal(rerun.code, 0, rerun.stdout)
    assert.include(rerun.body.counts, { migrated: 1, skipped_by_fingerprint: 49, failed: 0 })
    assert.deepEqual(
      rerun.body.tenants.map((t: any) => [t.tenant, t.applied]),
      [[broken.slug, [NOTE]]]
    )
    assert.include(await columnsOf(broken, 'probe_items'), 'note')

    // Up to date everywhere: decided from the fingerprints alone.
    const noop = await migrate(['--tenant', ...slugs(fleet), '--json'])
    assert.equal(noop.code, 0)
    assert.include(noop.body.counts, { up_to_date: 50, skipped_by_fingerprint: 50, migrated: 0 })
    assert.deepEqual(noop.body.tenants, [])
  }).timeout(180_000)

  test('by default, no new tenant is started after the first failure', async ({ assert }) => {
    const fleet = await probeFleet(6, 'stop', 1)
    await db.rawQuery(`ALTER TABLE "${fleet[1].schema_name}".probe_items ADD COLUMN note text`)

    const result = await migrate(['--tenant', ...slugs(fleet), '--concurrency', '1', '--json'])
    assert.equal(result.code, 1)
    assert.include(result.body.counts, { migrated: 1, failed: 1, not_started: 4 })
    assert.isTrue(result.body.stopped_early)
    for (const tenant of fleet.slice(2)) assert.notInclude(await ledgerOf(tenant), NOTE)

    const human = await migrate(['--tenant', ...slugs(fleet), '--concurrency', '1'])
    assert.equal(human.code, 1)
    assert.match(human.stdout, new RegExp(`${fleet[1].slug}: FAILED ${NOTE}`))
    assert.match(human.stderr, /ERR_MIGRATION_FAILED/)
    assert.match(human.stdout, /--skip-failing/)
  }).timeout(120_000)

  test('kill -9 in the middle of a run, then a rerun converges', async ({ assert }) => {
    const fleet = await probeFleet(20, 'crash')
    const crashed = await migrate(['--tenant', ...slugs(fleet), '--concurrency', '3'], 3, {
      ORYNE_FAILPOINTS: 'migrate:after_tenant:8',
    })
    assert.isNull(crashed.code, 'the run was killed')

    const ledgers = await Promise.all(fleet.map((tenant) => ledgerOf(tenant)))
    const done = ledgers.filter((ledger) => ledger.includes(TAGS)).length
    assert.isAtLeast(done, 8)
    assert.isBelow(done, 20)
    // Each tenant has both new migrations or neither: one transaction per tenant and plugin.
    for (const ledger of ledgers) assert.equal(ledger.includes(NOTE), ledger.includes(TAGS))

    const rerun = await migrate(['--tenant', ...slugs(fleet), '--json'], 3)
    assert.equal(rerun.code, 0, rerun.stdout)
    assert.equal(rerun.body.counts.migrated, 20 - done)
    assert.lengthOf(rerun.body.resumed, 1)
    const interrupted = await db.from('migration_runs').where('id', rerun.body.resumed[0]).first()
    assert.equal(interrupted.status, 'interrupted')
    for (const tenant of fleet) {
      assert.deepEqual(await ledgerOf(tenant), [`${PROBE}/0001_probe_items`, NOTE, TAGS])
    }
  }).timeout(180_000)

  test('a second run waits for the lock, then names who holds it', async ({ assert }) => {
    const [tenant] = await probeFleet(1, 'lock')
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let holding!: () => void
    const locked = new Promise<void>((resolve) => (holding = resolve))
    const holder = db.transaction(async (trx) => {
      await trx.rawQuery(
        `SELECT pg_advisory_xact_lock(hashtext(?)), set_config('application_name', 'test holder', true)`,
        [`oryne:provision:${tenant.id}`]
      )
      holding()
      await held
    })
    await locked
    try {
      const blocked = await migrate(['--tenant', tenant.slug, '--lock-wait', '300', '--json'])
      assert.equal(blocked.code, 1)
      assert.equal(blocked.body.counts.locked, 1)
      const [outcome] = blocked.body.tenants
      assert.equal(outcome.status, 'locked')
      assert.equal(outcome.error.code, 'ERR_TENANT_LOCKED')
      assert.match(outcome.error.message, /test holder \(PostgreSQL backend \d+/)
      assert.notInclude(await ledgerOf(tenant), NOTE)
    } finally {
      release()
      await holder
    }
    const after = await migrate(['--tenant', tenant.slug, '--json'])
    assert.equal(after.code, 0)
    assert.equal(after.body.counts.migrated, 1)
  }).timeout(120_000)

  test('--dry-run lists what would run; status and rollback per tenant and plugin', async ({
    assert,
  }) => {
    const [tenant] = await probeFleet(1, 'dry')
    const dry = await migrate(['--tenant', tenant.slug, '--dry-run', '--json'])
    assert.equal(dry.code, 0, dry.stderr)
    assert.isTrue(dry.body.dry_run)
    assert.deepEqual(dry.body.tenants[0].pending, [NOTE])
    assert.deepEqual(await ledgerOf(tenant), [`${PROBE}/0001_probe_items`])

    assert.equal((await migrate(['--tenant', tenant.slug, '--plugin', PROBE])).code, 0)
    const status = await migrate(['status', '--tenant', tenant.slug, '--json'])
    assert.equal(status.code, 0, status.stderr)
    assert.isTrue(status.body.up_to_date)
    const probe = status.body.owners.find((o: any) => o.owner === PROBE)
    assert.deepEqual(
      probe.applied.map((m: any) => m.name),
      ['0001_probe_items', '0002_probe_items_note']
    )

    const fleetStatus = await migrate(['status', '--json'])
    assert.equal(fleetStatus.code, 0)
    assert.isAtLeast(fleetStatus.body.fleet.up_to_date, 1)
    assert.equal(fleetStatus.body.pending, 0)

    const rolledBack = await migrate([
      'rollback',
      '--tenant',
      tenant.slug,
      '--plugin',
      PROBE,
      '--json',
    ])
    assert.equal(rolledBack.code, 0, rolledBack.stdout)
    assert.deepEqual(rolledBack.body.rolled_back, [NOTE])
    assert.notInclude(await columnsOf(tenant, 'probe_items'), 'note')
    assert.deepEqual(await ledgerOf(tenant), [`${PROBE}/0001_probe_items`])

    // 0003 has no down step: refused, nothing changed.
    assert.equal((await migrate(['--tenant', tenant.slug], 3)).code, 0)
    const irreversible = await migrate(
      ['rollback', '--tenant', tenant.slug, '--plugin', PROBE, '--steps', '2', '--json'],
      3
    )
    assert.equal(irreversible.code, 1)
    assert.equal(irreversible.body.error.code, 'ERR_MIGRATION_IRREVERSIBLE')
    assert.deepEqual(await ledgerOf(tenant), [`${PROBE}/0001_probe_items`, NOTE, TAGS])
  }).timeout(120_000)

  test('bad input: usage errors exit 2, unknown tenants and plugins exit 1 with their codes', async ({
    assert,
  }) => {
    // None of these reaches a migration: the release this process booted will do.
    assert.equal((await migrate(['--concurrency', '0'], BOOTED)).code, 2)
    assert.equal((await migrate(['--concurrency', 'many'], BOOTED)).code, 2)
    assert.equal((await migrate(['rollback', '--tenant', 'x'], BOOTED)).code, 2)
    assert.equal(
      (await migrate(['rollback', '--tenant', 'x', '--plugin', PROBE, '--steps', '-1'], BOOTED))
        .code,
      2
    )

    const ghost = await migrate(['--tenant', 'no-such-school', '--json'], BOOTED)
    assert.equal(ghost.code, 1)
    assert.equal(ghost.body.error.code, 'ERR_TENANT_NOT_FOUND')
    const plugin = await migrate(['--plugin', 'no-such-plugin', '--json'], BOOTED)
    assert.equal(plugin.code, 1)
    assert.equal(plugin.body.error.code, 'ERR_PLUGIN_NOT_FOUND')
  }).timeout(60_000)
})
