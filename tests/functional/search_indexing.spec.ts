import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import app from '@adonisjs/core/services/app'
import jobs from '#core/services/jobs'
import { searchDriver, type SearchDriver } from '#core/search/index'
import type { ResourceModel } from '#core/resources/model'
import { tenantApi } from '#tests/support/access'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

/*
 * Indexing on change: writes to a searchable resource queue `core.search_index`
 * jobs (queue `search`) that bring the driver's index in step. The driver here
 * is a recording stand-in of kind `typesense`: a real Typesense runs only with
 * TYPESENSE_URL (tests/functional/search.spec.ts), which this machine lacks.
 */
test.group('Search indexing on change', (group) => {
  const synced: Array<{ resource: string; ids: string[] }> = []
  group.setup(async () => {
    const recorder: SearchDriver = {
      kind: 'typesense',
      search: async () => ({ hits: [], total: 0 }),
      reindex: async () => ({ indexed: 0 }),
      sync: async (model: ResourceModel, ids: string[]) => {
        synced.push({ resource: model.key, ids })
        return { indexed: ids.length, removed: 0 }
      },
    }
    const standard = await searchDriver()
    app.container.bindValue('oryne.search', recorder)
    await jobs.work(['search'])
    return () => app.container.bindValue('oryne.search', standard)
  })

  test('creating, updating and deleting a searchable record each re-syncs its index entry', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(tenant, ['library-lite'], { actor: 'test' })
    const api = tenantApi(client, tenant, PLATFORM_TOKEN())

    const created = await api.post('/library-lite/books', { title: 'The Tempest' })
    created.assertStatus(201)
    const id = String(created.body().data.id)
    ;(
      await api.patch(`/library-lite/books/${id}`, { title: 'The Tempest, annotated' })
    ).assertStatus(200)
    ;(await api.delete(`/library-lite/books/${id}`)).assertStatus(200)

    for (let i = 0; i < 200 && synced.length < 3; i++) await sleep(50)
    assert.deepEqual(synced, [
      { resource: 'library-lite.books', ids: [id] },
      { resource: 'library-lite.books', ids: [id] },
      { resource: 'library-lite.books', ids: [id] },
    ])
  })
})
