import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { tenantApi, testTenant } from '@oryne/sdk/testing'
import { createUser, PASSWORD } from '#tests/support/auth'
import type { Tenant } from '#core/tenancy/types'

async function signIn(client: ApiClient, tenant: Tenant, role: string) {
  const email = `${role.toLowerCase()}@${tenant.slug}.example`
  await createUser(tenant, { email, role })
  const response = await client
    .post('/api/v1/auth/login')
    .header('x-tenant-id', tenant.slug)
    .json({ email, password: PASSWORD })
  response.assertStatus(200)
  return response.body().data.access_token as string
}

test.group('Tenant admin plugins API', () => {
  test('people can use a module the moment it is enabled: their role grants are not read from a stale cache', async ({
    client,
  }) => {
    const tenant = await testTenant()
    const admin = tenantApi(client, tenant, await signIn(client, tenant, 'TenantAdmin'))
    const staff = tenantApi(client, tenant, await signIn(client, tenant, 'Staff'))
    ;(await admin.post('/admin/plugins/erp/enable').json({})).assertStatus(200)
    // Any authorized request caches the tenant's role permissions (for a few seconds).
    ;(await staff.get('/erp/students')).assertStatus(200)
    ;(await admin.post('/admin/plugins/library/enable').json({})).assertStatus(200)
    // library grants Staff (the librarian) its catalogue when it is enabled.
    ;(await staff.get('/library/titles')).assertStatus(200)
  })

  test('a tenant admin enables and disables modules for their institution only', async ({
    client,
    assert,
  }) => {
    const [tenant, other] = [await testTenant(), await testTenant()]
    const admin = tenantApi(client, tenant, await signIn(client, tenant, 'TenantAdmin'))

    const enabled = await admin.post('/admin/plugins/notes-tags/enable').json({})
    enabled.assertStatus(200)
    assert.deepEqual(enabled.body().data.enabled, ['notes', 'notes-tags'])
    ;(await admin.post('/notes/notes').json({ body: 'Staff meeting' })).assertStatus(201)

    const listed = await admin.get('/admin/plugins')
    const states = Object.fromEntries(
      listed.body().data.map((p: { name: string; status: string }) => [p.name, p.status])
    )
    assert.include(states, {
      'notes': 'enabled',
      'notes-tags': 'enabled',
      'journal': 'not_installed',
    })

    const elsewhere = await tenantApi(client, other).get('/admin/plugins')
    assert.isTrue(
      elsewhere.body().data.every((p: { status: string }) => p.status === 'not_installed')
    )

    const blocked = await admin.post('/admin/plugins/notes/disable').json({})
    blocked.assertStatus(409)
    assert.deepEqual(blocked.body().error.details.dependents, ['notes-tags'])
    ;(await admin.post('/admin/plugins/notes-tags/disable').json({})).assertStatus(200)
  })

  test('a user without core.plugins.manage is refused', async ({ client, assert }) => {
    const tenant = await testTenant()
    const teacher = tenantApi(client, tenant, await signIn(client, tenant, 'Teacher'))
    for (const response of [
      await teacher.get('/admin/plugins'),
      await teacher.post('/admin/plugins/notes/enable').json({}),
      await teacher.patch('/admin/plugins/journal/settings').json({ max_entries: 5 }),
    ]) {
      response.assertStatus(403)
      assert.equal(response.body().error.code, 'ERR_FORBIDDEN')
    }
    const states = await tenantApi(client, tenant).get('/admin/plugins')
    assert.isTrue(states.body().data.every((p: { status: string }) => p.status !== 'enabled'))
  })

  test('settings: defaults, validated changes that take effect at once, nothing written on bad input', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['journal'] })
    const api = tenantApi(client, tenant)

    const defaults = await api.get('/admin/plugins/journal/settings')
    defaults.assertStatus(200)
    assert.deepEqual(defaults.body().data.values, { max_entries: 100, visibility: 'private' })
    assert.equal(defaults.body().data.schema.type, 'object')

    const invalid = await api
      .patch('/admin/plugins/journal/settings')
      .json({ max_entries: 0, visibility: 'public' })
    invalid.assertStatus(400)
    assert.equal(invalid.body().error.code, 'ERR_VALIDATION')
    assert.sameMembers(
      invalid.body().error.details.map((d: { field: string }) => d.field),
      ['max_entries', 'visibility']
    )
    const unknown = await api.patch('/admin/plugins/journal/settings').json({ colour: 'red' })
    unknown.assertStatus(400)
    assert.equal(unknown.body().error.details[0].field, 'colour')
    const unchanged = await api.get('/admin/plugins/journal/settings')
    assert.deepEqual(unchanged.body().data.set, {})

    const changed = await api.patch('/admin/plugins/journal/settings').json({ max_entries: 1 })
    changed.assertStatus(200)
    assert.deepEqual(changed.body().data.values, { max_entries: 1, visibility: 'private' })

    // The plugin reads its settings through pluginSettings(): the change applies to the next request.
    const user = '6f1c2a4e-5b7d-4c3e-9a1f-2b3c4d5e6f70'
    ;(await api.post('/journal/entries').json({ user_id: user, body: 'one' })).assertStatus(201)
    const refused = await api.post('/journal/entries').json({ user_id: user, body: 'two' })
    refused.assertStatus(409)
    assert.equal(refused.body().error.code, 'ERR_JOURNAL_FULL')
    assert.equal(refused.body().error.message, 'At most 1 entries per user')

    const notInstalled = await api.patch('/admin/plugins/notes/settings').json({})
    notInstalled.assertStatus(404)
    assert.equal(notInstalled.body().error.code, 'ERR_PLUGIN_DISABLED')
  })
})
