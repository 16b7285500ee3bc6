import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { Tenant } from '#core/tenancy/types'
import { searchDriver } from '#core/search/search_service'
import { PostgresSearchDriver } from '#core/search/postgres_driver'
import { runOryne, runOryneProcess } from '#tests/support/cli'
import { activeTenant } from '#tests/support/tenants'

/*
 * `oryne search reindex` against the default PostgreSQL driver: it searches
 * the tables themselves, so the command reports what is searchable and that
 * there is nothing to index. The Typesense path (a real rebuild per resource)
 * runs only with TYPESENSE_URL and ORYNE_SEARCH_DRIVER=typesense, which this
 * machine does not have: it is not exercised here.
 */

/** The child names its driver; in this process the driver is the run's, checked below. */
const POSTGRES = { ORYNE_SEARCH_DRIVER: 'postgres' }

/* Reindexing queues nothing: the commands run in this process, on its queues. */
const oryne = (...args: string[]) => runOryne(['search', 'reindex', ...args])

test.group('oryne search reindex', (group) => {
  let library: Tenant
  let plain: Tenant
  group.setup(async () => {
    if (!((await searchDriver()) instanceof PostgresSearchDriver)) {
      throw new Error('These tests expect the PostgreSQL search driver: unset ORYNE_SEARCH_DRIVER.')
    }
    ;[library, plain] = await Promise.all([activeTenant(), activeTenant()])
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(library, ['library-lite'], { actor: 'test' })
  })

  test('with PostgreSQL it lists the searchable resources per tenant and has nothing to index', async ({
    assert,
  }) => {
    // A real process, told its driver as an operator would.
    const all = await runOryneProcess(['search', 'reindex', '--json'], POSTGRES)
    assert.equal(all.code, 0, all.stderr)
    const summary = JSON.parse(all.stdout)
    assert.include(summary, { ok: true, driver: 'postgres', nothing_to_do: true, indexed: 0 })
    const bySlug = new Map(
      summary.tenants.map((t: { tenant: string; resources: Array<{ resource: string }> }) => [
        t.tenant,
        t.resources.map((r) => r.resource).sort(),
      ])
    )
    assert.deepEqual(bySlug.get(library.slug), ['library-lite.books', 'library-lite.students'])
    assert.deepEqual(bySlug.get(plain.slug), [])

    const one = await oryne('--tenant', library.slug, '--resource', 'library-lite.books')
    assert.equal(one.code, 0, one.stderr)
    assert.include(one.stdout, 'Nothing to do')
    assert.include(one.stdout, '1 searchable resource(s) in 1 tenant(s)')
  })

  test('an unknown or unsearchable resource fails with its error code (exit 1)', async ({
    assert,
  }) => {
    const resource = await oryne('--resource', 'library-lite.ghosts', '--json')
    assert.equal(resource.code, 1)
    assert.equal(JSON.parse(resource.stdout).error.code, 'ERR_RESOURCE_NOT_FOUND')

    const unsearchable = await oryne('--tenant', library.slug, '--resource', 'library-lite.loans')
    assert.equal(unsearchable.code, 1)
    assert.include(unsearchable.stderr, 'ERR_VALIDATION')
  })
})
