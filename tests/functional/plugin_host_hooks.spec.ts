import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { asTenant, tenantApi, testTenant } from '@oryne/sdk/testing'
import { withTenantDb } from '@oryne/sdk'
import { erasePersonalData, exportPersonalData } from '#core/plugins/privacy'
import { findJob } from '#core/jobs/define_job'
import { PLATFORM_TOKEN } from '#tests/support/tenants'

/** Polls until `probe` returns something truthy (events are delivered after the commit, asynchronously). */
async function eventually<T>(probe: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const journal = (tenant: Awaited<ReturnType<typeof testTenant>>) =>
  asTenant(tenant, () =>
    withTenantDb((trx) => trx.from('journal_entries').orderBy('id').select('user_id', 'body'))
  )

test.group('Plugin host: manifest hooks', () => {
  test('an event reaches only the plugins its tenant enabled', async ({ client, assert }) => {
    const withJournal = await testTenant({ plugins: ['notes', 'journal'] })
    const withoutJournal = await testTenant({ plugins: ['notes'] })
    ;(
      await tenantApi(client, withJournal).post('/notes/notes').json({ body: 'Trip' })
    ).assertStatus(201)
    ;(
      await tenantApi(client, withoutJournal).post('/notes/notes').json({ body: 'Fair' })
    ).assertStatus(201)

    const entries = await eventually(async () => {
      const rows = await journal(withJournal)
      return rows.length ? rows : null
    })
    assert.deepEqual(entries, [{ user_id: null, body: 'note written: Trip' }])

    // Enabled afterwards, the journal of the other tenant has heard of nothing.
    await tenantApi(client, withoutJournal).post('/admin/plugins/journal/enable').json({})
    assert.deepEqual(await journal(withoutJournal), [])
  })

  test("privacy hooks export and erase a user's data across the tenant's enabled plugins", async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['journal', 'notes'] })
    const [ada, bob] = [
      '2d4b6c8e-0a1b-4c2d-8e3f-405162738495',
      '3e5c7d9f-1b2c-4d3e-9f40-516273849506',
    ]
    const api = tenantApi(client, tenant)
    for (const [user, body] of [
      [ada, 'Ada 1'],
      [ada, 'Ada 2'],
      [bob, 'Bob 1'],
    ])
      (await api.post('/journal/entries').json({ user_id: user, body })).assertStatus(201)

    const exported = await asTenant(tenant, () => exportPersonalData(ada))
    assert.deepEqual(exported, { journal: [{ body: 'Ada 1' }, { body: 'Ada 2' }] })
    const erased = await asTenant(tenant, () => erasePersonalData(ada))
    assert.deepEqual(erased, { journal: { erased: 2 } })
    assert.deepEqual(await journal(tenant), [{ user_id: bob, body: 'Bob 1' }])

    // A tenant without the plugin enabled runs none of its hooks.
    const other = await testTenant()
    assert.deepEqual(await asTenant(other, () => exportPersonalData(ada)), {})
  })

  test('jobs and notification templates of the manifest are registered; bad ones make the plugin unavailable', async ({
    client,
    assert,
  }) => {
    assert.equal(findJob('journal.compact')?.queue, 'default')
    const plugins = await app.container.make('oryne.plugins')
    assert.deepEqual(plugins.plugin('journal').notifications?.weekly_reminder.channels, [
      'email',
      'in_app',
    ])

    const listed = await client.get('/api/v1/platform/plugins').bearerToken(PLATFORM_TOKEN())
    const misconfigured = listed
      .body()
      .data.find((p: { name: string }) => p.name === 'misconfigured')
    assert.isFalse(misconfigured.available)
    assert.includeMembers(misconfigured.reasons, [
      'jobs.0: "elsewhere.sync" must look like misconfigured.<job>',
      'notifications.welcome.channels: "pigeon" is not a channel',
    ])
  })

  test('settings defaults that fail the schema name the field', async ({ assert }) => {
    const plugins = await app.container.make('oryne.plugins')
    const entry = plugins.entry('misconfigured')!
    assert.isFalse(entry.available)
    const { buildCatalog } = await import('#core/plugins/catalog')
    const { vine } = await import('@oryne/sdk')
    const catalog = await buildCatalog(
      [
        {
          source: 'inline',
          manifest: {
            name: 'paging',
            version: '1.0.0',
            host: '*',
            settings: {
              schema: vine.object({ per_page: vine.number().max(50) }),
              defaults: { per_page: 500 },
            },
          },
        },
      ],
      '0.1.0'
    )
    const paging = catalog.get('paging')!
    assert.isFalse(paging.available)
    assert.match((paging as { reasons: string[] }).reasons[0], /^settings\.defaults\.per_page: /)
  })

  test('a third-party plugin installed as an npm package is discovered and works', async ({
    client,
    assert,
  }) => {
    const listed = await client.get('/api/v1/platform/plugins').bearerToken(PLATFORM_TOKEN())
    const greetings = listed.body().data.find((p: { name: string }) => p.name === 'greetings')
    assert.include(greetings, { available: true, source: 'npm:oryne-plugin-greetings' })

    const tenant = await testTenant({ plugins: ['greetings'] })
    const api = tenantApi(client, tenant)
    const hello = await api.post('/greetings/hello/Ada')
    hello.assertStatus(200)
    assert.deepEqual(hello.body().data, { greeting: 'Hello, Ada.', visits: 1 })

    ;(
      await api
        .patch('/admin/plugins/greetings/settings')
        .json({ salutation: 'Welcome', exclaim: true })
    ).assertStatus(200)
    const welcome = await api.post('/greetings/hello/Bob')
    assert.deepEqual(welcome.body().data, { greeting: 'Welcome, Bob!', visits: 2 })
  })

  test('uninstall drops exactly the plugin tables after the backup, and refuses while dependants remain', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['notes-tags'] })
    const api = tenantApi(client, tenant)
    ;(await api.post('/notes/notes').json({ body: 'One' })).assertStatus(201)
    ;(await api.post('/notes/notes').json({ body: 'Two' })).assertStatus(201)
    const plugins = await app.container.make('oryne.plugins')
    const backups: string[] = []
    const options = { actor: 'test', beforeDrop: async () => backups.push('taken') }

    assert.deepEqual((await plugins.uninstallPlan(tenant, 'notes')).tables, [
      { table: 'notes', rows: 2 },
    ])
    await assert.rejects(() => plugins.uninstall(tenant, 'notes', options), /needed by notes-tags/)
    await plugins.disable(tenant, 'notes-tags', { actor: 'test' })
    await assert.rejects(
      () => plugins.uninstall(tenant, 'notes', options),
      /keep data that depends/
    )
    assert.deepEqual(backups, [])

    const tags = await plugins.uninstall(tenant, 'notes-tags', options)
    assert.deepEqual(tags.tables, [{ table: 'note_tags', rows: 0 }])
    const notes = await plugins.uninstall(tenant, 'notes', options)
    assert.deepEqual(notes.tables, [{ table: 'notes', rows: 2 }])
    assert.deepEqual(backups, ['taken', 'taken'])

    const left = await asTenant(tenant, () =>
      withTenantDb(async (trx) => ({
        tables: (
          await trx.from('information_schema.tables').where('table_schema', tenant.schema_name)
        ).map((row) => row.table_name),
        ledger: await trx.from('oryne_migrations').whereIn('owner', ['notes', 'notes-tags']),
        admin: (await trx.from('roles').where('name', 'TenantAdmin').first()).permissions,
      }))
    )
    assert.notIncludeMembers(left.tables, ['notes', 'note_tags'])
    assert.includeMembers(left.tables, ['users', 'roles'])
    assert.deepEqual(left.ledger, [])
    assert.isFalse(left.admin.some((p: string) => p.startsWith('notes.')))
    const states = await plugins.forTenant(tenant)
    assert.equal(states.find((s) => s.name === 'notes')!.status, 'not_installed')

    // Installed again, it starts empty.
    await plugins.enable(tenant, ['notes'], { actor: 'test' })
    assert.deepEqual((await api.get('/notes/notes')).body().data, [])
  })
})
