import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { resourceCatalogOf } from '#core/resources/catalog'
import { missingSearchIndexes } from '#core/search/index_check'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

/*
 * Search is fast only when each searchable resource's table carries the GIN
 * indexes of createSearchIndexes over exactly its `search: true` fields. A
 * plugin whose migration forgot them, or indexes other fields, fails here.
 */
test.group('Search indexes', () => {
  test('every searchable resource of the built-in plugins has its full-text and trigram indexes', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const host = await app.container.make('oryne.plugins')
    const builtin = host.available().filter((entry) => entry.source.startsWith('plugins/'))
    const names = builtin.map((entry) => entry.manifest.name)
    for (const name of names) {
      const enabled = await client
        .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/${name}/enable`)
        .bearerToken(PLATFORM_TOKEN())
        .json({ with_dependencies: true })
      assert.oneOf(enabled.status(), [200, 409], `${name}: ${JSON.stringify(enabled.body())}`)
    }
    const models = names.flatMap((name) => resourceCatalogOf(host).ofPlugin(name))
    assert.isAbove(models.filter((model) => model.searchFields.length).length, 3)
    const problems = await tenantContext.run(tenant, () => missingSearchIndexes(models))
    assert.deepEqual(problems, [])

    // And the check notices a missing one.
    await tenantContext.run(tenant, () =>
      withTenantDb((trx) => trx.rawQuery('DROP INDEX erp_teachers_search_trgm'))
    )
    const after = await tenantContext.run(tenant, () => missingSearchIndexes(models))
    assert.deepEqual(after, [
      { resource: 'erp.teachers', index: 'erp_teachers_search_trgm', problem: 'missing' },
    ])
  }).timeout(120_000)
})
