import { test } from '@japa/runner'
import tenancy from '#core/services/tenancy'
import { activeTenant, PLATFORM_TOKEN, uniqueSlug } from '#tests/support/tenants'

test.group('Tenant resolution', () => {
  test('X-Tenant-ID names a tenant by slug or by id', async ({ client, assert }) => {
    const tenant = await activeTenant()
    const bySlug = await client.get('/api/v1/tenant').header('X-Tenant-ID', tenant.slug)
    bySlug.assertStatus(200)
    assert.equal(bySlug.body().data.slug, tenant.slug)

    const byId = await client.get('/api/v1/tenant').header('X-Tenant-ID', tenant.id)
    assert.equal(byId.body().data.slug, tenant.slug)
  })

  test('a subdomain of ORYNE_BASE_DOMAIN names the tenant', async ({ client, assert }) => {
    const tenant = await activeTenant()
    const response = await client.get('/api/v1/tenant').header('Host', `${tenant.slug}.oryne.test`)
    response.assertStatus(200)
    assert.equal(response.body().data.slug, tenant.slug)
  })

  test('a custom domain wins over the header', async ({ client, assert }) => {
    const [owner, other] = [await activeTenant(), await activeTenant()]
    const domain = `portal.${owner.slug}.example.org`
    const added = await client
      .post(`/api/v1/platform/tenants/${owner.slug}/domains`)
      .bearerToken(PLATFORM_TOKEN())
      .json({ domain: domain.toUpperCase() })
    added.assertStatus(201)
    assert.deepEqual(added.body().data.domains, [domain])

    const response = await client
      .get('/api/v1/tenant')
      .header('Host', domain)
      .header('X-Tenant-ID', other.slug)
    assert.equal(response.body().data.slug, owner.slug)

    const taken = await client
      .post(`/api/v1/platform/tenants/${other.slug}/domains`)
      .bearerToken(PLATFORM_TOKEN())
      .json({ domain })
    taken.assertStatus(409)
    assert.equal(taken.body().error.code, 'ERR_TENANT_DOMAIN_TAKEN')

    ;(
      await client
        .delete(`/api/v1/platform/tenants/${owner.slug}/domains/${domain}`)
        .bearerToken(PLATFORM_TOKEN())
    ).assertStatus(200)
    const afterRemoval = await client.get('/api/v1/tenant').header('Host', domain)
    afterRemoval.assertStatus(404)
  })

  test('unknown, missing and malformed tenants are 404 ERR_TENANT_NOT_FOUND', async ({
    client,
    assert,
  }) => {
    for (const request of [
      client.get('/api/v1/tenant').header('X-Tenant-ID', 'no-such-school'),
      client.get('/api/v1/tenant').header('X-Tenant-ID', "x' OR 1=1 --"),
      client.get('/api/v1/tenant').header('Host', 'nobody.oryne.test'),
      client.get('/api/v1/tenant'),
    ]) {
      const response = await request
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'ERR_TENANT_NOT_FOUND')
      assert.isNull(response.body().data)
    }
  })

  test('suspended is 403, archived is 410, provisioning and failed are 503 with Retry-After', async ({
    client,
    assert,
  }) => {
    const suspended = await activeTenant()
    await tenancy.suspend(suspended.slug, 'test', 'unpaid')
    const s = await client.get('/api/v1/tenant').header('X-Tenant-ID', suspended.slug)
    s.assertStatus(403)
    assert.equal(s.body().error.code, 'ERR_TENANT_SUSPENDED')

    const archived = await activeTenant()
    await tenancy.archive(archived.slug, 'test')
    const a = await client.get('/api/v1/tenant').header('X-Tenant-ID', archived.slug)
    a.assertStatus(410)
    assert.equal(a.body().error.code, 'ERR_TENANT_ARCHIVED')

    const pending = await tenancy.registry.create(
      { slug: uniqueSlug('pending'), name: 'Pending' },
      'test'
    )
    const p = await client.get('/api/v1/tenant').header('X-Tenant-ID', pending.slug)
    p.assertStatus(503)
    assert.equal(p.body().error.code, 'ERR_TENANT_NOT_READY')
    assert.equal(p.header('retry-after'), '5')

    await tenancy.registry.transition(pending, 'failed', { actor: 'test', reason: 'disk full' })
    const f = await client.get('/api/v1/tenant').header('X-Tenant-ID', pending.slug)
    f.assertStatus(503)
    assert.equal(f.body().error.code, 'ERR_TENANT_NOT_READY')
  })

  test('a status change is seen at once by the process that made it', async ({ client }) => {
    const tenant = await activeTenant()
    ;(await client.get('/api/v1/tenant').header('X-Tenant-ID', tenant.slug)).assertStatus(200)
    await tenancy.suspend(tenant.slug, 'test')
    ;(await client.get('/api/v1/tenant').header('X-Tenant-ID', tenant.slug)).assertStatus(403)
    await tenancy.resume(tenant.slug, 'test')
    ;(await client.get('/api/v1/tenant').header('X-Tenant-ID', tenant.slug)).assertStatus(200)
  })
})
