import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { buildCatalog } from '#core/plugins/catalog'
import { PluginHost } from '#core/plugins/plugin_host'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { runOryneProcess } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'
import courierV1 from '#tests/fixtures/plugins/upgrades/v1/courier/plugin'

/*
 * Upgrading a plugin carries its grants: the fixture courier 1.0.0 is enabled
 * for a tenant, its admin changes roles by hand, then the installation is
 * upgraded to courier 2.0.0 (another folder on ORYNE_PLUGIN_PATHS, as a new
 * release on disk) and `oryne migrate` / enabling again reconcile the roles.
 */

const V2 = {
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
  ORYNE_PLUGIN_PATHS: 'tests/fixtures/plugins/upgrades/v2',
}
const V1 = { ...V2, ORYNE_PLUGIN_PATHS: 'tests/fixtures/plugins/upgrades/v1' }

/** A plugin host that sees courier 1.0.0: the installation before the upgrade. */
async function hostWithV1() {
  const pkg = JSON.parse(readFileSync(app.makePath('package.json'), 'utf8'))
  const catalog = await buildCatalog([{ source: 'v1', manifest: courierV1 }], pkg.version)
  const tenancy = await app.container.make('oryne.tenancy')
  return new PluginHost(catalog, tenancy.registry, { cacheTtlMs: 0 })
}

/** The courier permissions of every role that holds any, by role. */
function courierGrants(tenant: Tenant) {
  return tenantContext.run(tenant, () =>
    withTenantDb(async (trx) => {
      const rows = await trx.from('roles').select('name', 'permissions').orderBy('name')
      return Object.fromEntries(
        rows
          .map((row) => [
            row.name as string,
            (row.permissions as string[]).filter((p) => p.startsWith('courier.')).sort(),
          ])
          .filter(([, permissions]) => permissions.length)
      )
    })
  )
}

function byHand(tenant: Tenant, sql: string, bindings: unknown[]) {
  return tenantContext.run(tenant, () =>
    withTenantDb((trx) => trx.rawQuery(sql, bindings as any[]))
  )
}

const SET_PERMISSIONS = `UPDATE roles SET permissions = ?::jsonb WHERE name = ?`
const oryne = (args: string[], env: Record<string, string | undefined>) =>
  runOryneProcess(args, env, 120_000)

test.group('Plugin upgrades carry their grants', () => {
  test('oryne migrate adds a new version’s grants, withdraws dropped ones and keeps hand-made changes', async ({
    assert,
  }) => {
    const school = await activeTenant()
    const v1 = await hostWithV1()
    await v1.enable(school, ['courier'], { actor: 'test' })
    assert.deepEqual(await courierGrants(school), {
      Staff: ['courier.parcels.create', 'courier.parcels.read'],
      Student: ['courier.parcels.track'],
      Teacher: ['courier.parcels.read', 'courier.parcels.track'],
      TenantAdmin: ['courier.parcels.create', 'courier.parcels.read', 'courier.parcels.track'],
    })

    // The school's admin: Teachers may no longer read parcels, Parents may, and a custom role tracks them.
    await byHand(school, SET_PERMISSIONS, [JSON.stringify(['courier.parcels.track']), 'Teacher'])
    await byHand(school, SET_PERMISSIONS, [JSON.stringify(['courier.parcels.read']), 'Parent'])
    await byHand(
      school,
      `INSERT INTO roles (name, builtin, permissions) VALUES (?, false, ?::jsonb)`,
      [
        'Office',
        JSON.stringify(['courier.parcels.create', 'courier.parcels.track', 'core.users.read']),
      ]
    )

    // Migrated on 1.0.0: the fingerprint is recorded and nothing changes.
    const before = await oryne(['migrate', '--tenant', school.slug, '--json'], V1)
    assert.equal(before.code, 0, before.stdout + before.stderr)
    const current = await oryne(['migrate', 'status', '--tenant', school.slug, '--json'], V1)
    assert.include(JSON.parse(current.stdout), { up_to_date: true, fingerprint_matches: true })

    // 2.0.0 is installed: no migration is pending, yet its grants leave the tenant behind.
    const behind = await oryne(['migrate', 'status', '--tenant', school.slug, '--json'], V2)
    assert.equal(behind.code, 0, behind.stderr)
    assert.include(JSON.parse(behind.stdout), { up_to_date: true, fingerprint_matches: false })

    const migrated = await oryne(['migrate', '--tenant', school.slug, '--json'], V2)
    assert.equal(migrated.code, 0, migrated.stdout + migrated.stderr)
    const [outcome] = JSON.parse(migrated.stdout).tenants
    assert.equal(outcome.status, 'migrated')
    assert.deepEqual(outcome.applied, [])
    assert.deepEqual(outcome.grants, [
      {
        plugin: 'courier',
        added: {
          Student: ['courier.parcels.renew'],
          Teacher: ['courier.parcels.renew'],
          TenantAdmin: ['courier.parcels.renew'],
        },
        removed: {
          Office: ['courier.parcels.track'],
          Staff: ['courier.parcels.read'],
          Student: ['courier.parcels.track'],
          Teacher: ['courier.parcels.track'],
          TenantAdmin: ['courier.parcels.track'],
        },
      },
    ])

    assert.deepEqual(await courierGrants(school), {
      // Kept: a permission the admin created the role with.
      Office: ['courier.parcels.create'],
      // Kept: granted by hand, never seeded.
      Parent: ['courier.parcels.read'],
      // Withdrawn: 2.0.0 no longer grants Staff `read`.
      Staff: ['courier.parcels.create'],
      Student: ['courier.parcels.renew'],
      // `read` stays revoked: 2.0.0 still grants it, but the admin took it away.
      Teacher: ['courier.parcels.renew'],
      TenantAdmin: ['courier.parcels.create', 'courier.parcels.read', 'courier.parcels.renew'],
    })
    const recorded = await tenantContext.run(school, () =>
      withTenantDb((trx) => trx.from('plugin_grants').where('plugin', 'courier').first())
    )
    assert.equal(recorded.version, '2.0.0')
    assert.deepEqual(recorded.grants.Teacher, ['courier.parcels.read', 'courier.parcels.renew'])

    const after = await oryne(['migrate', 'status', '--tenant', school.slug, '--json'], V2)
    assert.include(JSON.parse(after.stdout), { up_to_date: true, fingerprint_matches: true })
    const plugins = await oryne(['plugin', 'list', '--tenant', school.slug, '--json'], V2)
    const courier = JSON.parse(plugins.stdout).find((p: { name: string }) => p.name === 'courier')
    assert.include(courier, { version: '2.0.0', status: 'enabled' })

    // A tenant whose grants predate the record: its roles count as seeded by the running
    // version (a missing grant stays missing); only what the plugin no longer declares goes.
    await byHand(school, `DELETE FROM plugin_grants WHERE plugin = ?`, ['courier'])
    await byHand(school, SET_PERMISSIONS, [JSON.stringify([]), 'Student'])
    await byHand(school, SET_PERMISSIONS, [
      JSON.stringify(['courier.parcels.create', 'courier.parcels.track']),
      'Staff',
    ])
    const legacy = await oryne(['migrate', '--tenant', school.slug, '--full', '--json'], V2)
    assert.equal(legacy.code, 0, legacy.stdout + legacy.stderr)
    assert.deepEqual(JSON.parse(legacy.stdout).tenants[0].grants, [
      { plugin: 'courier', added: {}, removed: { Staff: ['courier.parcels.track'] } },
    ])
    const grants = await courierGrants(school)
    assert.notProperty(grants, 'Student')
    assert.deepEqual(grants.Staff, ['courier.parcels.create'])
  }).timeout(600_000)

  test('enabling again after an upgrade brings the new grants and keeps what the admin revoked', async ({
    assert,
  }) => {
    const school = await activeTenant()
    const v1 = await hostWithV1()
    await v1.enable(school, ['courier'], { actor: 'test' })
    await byHand(school, SET_PERMISSIONS, [JSON.stringify(['courier.parcels.track']), 'Teacher'])
    await v1.disable(school, 'courier', { actor: 'test' })

    const enabled = await oryne(
      ['plugin', 'enable', 'courier', '--tenant', school.slug, '--json'],
      V2
    )
    assert.equal(enabled.code, 0, enabled.stdout + enabled.stderr)
    const grants = await courierGrants(school)
    assert.deepEqual(grants.Teacher, ['courier.parcels.renew'])
    assert.deepEqual(grants.Student, ['courier.parcels.renew'])
    assert.deepEqual(grants.Staff, ['courier.parcels.create'])

    // Uninstalling forgets the record with the permissions: enabling again seeds afresh.
    await v1.uninstall(school, 'courier', { actor: 'test' })
    const record = await tenantContext.run(school, () =>
      withTenantDb((trx) => trx.from('plugin_grants').where('plugin', 'courier').first())
    )
    assert.notExists(record)
    assert.deepEqual(await courierGrants(school), {})
    await v1.enable(school, ['courier'], { actor: 'test' })
    assert.deepEqual((await courierGrants(school)).Teacher, [
      'courier.parcels.read',
      'courier.parcels.track',
    ])
  }).timeout(300_000)
})
