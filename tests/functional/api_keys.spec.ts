import { test } from '@japa/runner'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { later } from '#tests/support/auth'
import { activeTenant } from '#tests/support/tenants'

const HOUR = 3_600_000

test.group('Partner API keys', (group) => {
  let tenant: Tenant
  let admin: ReturnType<typeof tenantApi>
  group.setup(async () => {
    tenant = await activeTenant()
  })
  async function newKey(api: ReturnType<typeof tenantApi>, body: object) {
    const created = await api.post('/admin/api-keys', body)
    created.assertStatus(201)
    return created.body().data as { id: string; key: string; prefix: string; status: string }
  }

  test('a key is shown once, stored hashed, and limited to its scopes', async ({
    client,
    assert,
  }) => {
    admin = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'keys@school.example', ['TenantAdmin'])
    )
    const created = await newKey(admin, {
      name: 'Timetable sync',
      scopes: ['core.users.read'],
      rate_limit_per_hour: 500,
    })
    assert.match(created.key, /^oryne_[\w-]{40,}$/)
    assert.isTrue(created.key.startsWith(created.prefix))
    assert.equal(created.status, 'active')

    const stored = await tenantContext.run(tenant, () =>
      withTenantDb((trx) => trx.from('api_keys').where('id', created.id).first())
    )
    assert.notInclude(JSON.stringify(stored), created.key)
    assert.lengthOf(stored.key_hash, 64)
    const listed = await admin.get('/admin/api-keys')
    assert.notProperty(listed.body().data[0], 'key')
    assert.notProperty(listed.body().data[0], 'key_hash')
    assert.deepInclude(listed.body().data[0], {
      name: 'Timetable sync',
      scopes: ['core.users.read'],
      rate_limit_per_hour: 500,
      last_used_at: null,
    })

    const byBearer = tenantApi(client, tenant, created.key)
    const byHeader = tenantApi(client, tenant, { apiKey: created.key })
    ;(await byBearer.get('/admin/users')).assertStatus(200)
    ;(await byHeader.get('/admin/users')).assertStatus(200)
    for (const refused of [
      await byBearer.post('/admin/users', { email: 'x@school.example', roles: ['Student'] }),
      await byHeader.get('/admin/audit'),
      await byHeader.get('/admin/api-keys'),
    ]) {
      refused.assertStatus(403)
      assert.equal(refused.body().error.code, 'ERR_FORBIDDEN')
    }
    const used = await admin.get(`/admin/api-keys/${created.id}`)
    assert.isNotNull(used.body().data.last_used_at)

    const elsewhere = await activeTenant()
    const foreign = await tenantApi(client, elsewhere, created.key).get('/admin/users')
    foreign.assertStatus(401)
    assert.equal(foreign.body().error.code, 'ERR_AUTH_INVALID_TOKEN')
  })

  test('requests made with a key are audited as the key', async ({ client, assert }) => {
    admin = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'keys2@school.example', ['TenantAdmin'])
    )
    const created = await newKey(admin, {
      name: 'SIS import',
      scopes: ['core.users.manage', 'core.users.read'],
    })
    const partner = tenantApi(client, tenant, created.key)
    const made = await partner.post('/admin/users', {
      email: 'from-sis@school.example',
      roles: ['Student'],
    })
    made.assertStatus(201)
    const audit = await admin.get(
      `/admin/audit?resource=core.users&resource_id=${made.body().data.id}`
    )
    const entry = audit.body().data[0]
    assert.deepInclude(entry, { actor: `api_key:${created.id}`, action: 'core.users.invite' })
    const creation = await admin.get(
      `/admin/audit?action=core.api_keys.create&resource_id=${created.id}`
    )
    assert.lengthOf(creation.body().data, 1)
  })

  test('revoked and expired keys are refused with their own codes', async ({ client, assert }) => {
    admin = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'keys3@school.example', ['TenantAdmin'])
    )
    const revoked = await newKey(admin, { name: 'Old', scopes: ['core.users.read'] })
    const answer = await admin.delete(`/admin/api-keys/${revoked.id}`)
    answer.assertStatus(200)
    assert.equal(answer.body().data.status, 'revoked')
    const refused = await tenantApi(client, tenant, revoked.key).get('/admin/users')
    refused.assertStatus(401)
    assert.equal(refused.body().error.code, 'ERR_AUTH_API_KEY_REVOKED')

    const expiring = await newKey(admin, {
      name: 'Short-lived',
      scopes: ['core.users.read'],
      expires_at: new Date(Date.now() + HOUR).toISOString(),
    })
    const partner = tenantApi(client, tenant, expiring.key)
    ;(await partner.get('/admin/users')).assertStatus(200)
    const expired = await later(2 * HOUR, async () => partner.get('/admin/users'))
    expired.assertStatus(401)
    assert.equal(expired.body().error.code, 'ERR_AUTH_API_KEY_EXPIRED')

    const unknown = await tenantApi(client, tenant, `oryne_${'x'.repeat(43)}`).get('/admin/users')
    unknown.assertStatus(401)
    assert.equal(unknown.body().error.code, 'ERR_AUTH_INVALID_TOKEN')
    const missing = await admin.delete('/admin/api-keys/00000000-0000-4000-8000-000000000000')
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_API_KEY_NOT_FOUND')
  })

  test('scopes must be known and held by the creator; bad input is a 400', async ({
    client,
    assert,
  }) => {
    admin = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'keys4@school.example', ['TenantAdmin'])
    )
    ;(
      await admin.post('/admin/roles', {
        name: 'Integrator',
        permissions: ['core.api_keys.manage', 'core.users.read'],
      })
    ).assertStatus(201)
    const integrator = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'integrator@school.example', ['Integrator'])
    )
    ;(
      await integrator.post('/admin/api-keys', { name: 'Mine', scopes: ['core.users.read'] })
    ).assertStatus(201)
    const beyond = await integrator.post('/admin/api-keys', {
      name: 'Too much',
      scopes: ['core.audit.read'],
    })
    beyond.assertStatus(403)
    assert.include(beyond.body().error.message, 'core.audit.read')

    for (const body of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['nothing.here.read'] },
      { name: '', scopes: ['core.users.read'] },
      { name: 'x', scopes: ['core.users.read'], expires_at: '2001-01-01T00:00:00Z' },
      { name: 'x', scopes: ['core.users.read'], expires_at: 'next week' },
      { name: 'x', scopes: ['core.users.read'], rate_limit_per_hour: 0 },
    ]) {
      const refused = await admin.post('/admin/api-keys', body)
      refused.assertStatus(400)
      assert.equal(refused.body().error.code, 'ERR_VALIDATION', JSON.stringify(body))
    }
  })
})
