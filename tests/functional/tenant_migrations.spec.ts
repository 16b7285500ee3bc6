import { test } from '@japa/runner'
import tenancy from '#core/services/tenancy'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { activeTenant } from '#tests/support/tenants'

test.group('Tenant migrations of existing tenants', () => {
  test('a tenant behind the current migrations is brought up to date, once', async ({ assert }) => {
    const tenant = await activeTenant()
    // Make it look like a tenant provisioned before 0002_audit_log existed.
    await tenantContext.run(tenant, () =>
      withTenantDb(async (trx) => {
        await trx.rawQuery('DROP TABLE audit_log')
        await trx.from('oryne_migrations').where({ owner: 'core', name: '0002_audit_log' }).delete()
      })
    )

    assert.deepEqual(await tenancy.migrateTenant(tenant), ['core/0002_audit_log'])
    assert.deepEqual(await tenancy.migrateTenant(tenant), [])

    const ledger = await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx.from('oryne_migrations').orderBy('name').select('owner', 'name', 'batch')
      )
    )
    const names = ledger.map((row) => `${row.owner}/${row.name}`)
    assert.includeMembers(names, ['core/0001_identity', 'core/0002_audit_log'])
    const batchOf = (name: string) => ledger.find((row) => row.name === name)!.batch
    assert.equal(batchOf('0002_audit_log'), batchOf('0001_identity') + 1)
    const count = await tenantContext.run(tenant, () =>
      withTenantDb((trx) => trx.from('audit_log').count('* as n'))
    )
    assert.equal(Number(count[0].n), 0)

    const all = await tenancy.migrateAll()
    assert.deepInclude(all, { slug: tenant.slug, applied: [] })
  })
})
