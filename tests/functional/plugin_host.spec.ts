import { test } from '@japa/runner'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

const platform = (client: any, method: 'get' | 'post', path: string) =>
  client[method](`/api/v1/platform${path}`).bearerToken(PLATFORM_TOKEN())

test.group('Plugin host', () => {
  test('lists installed plugins; invalid ones are unavailable with reasons naming plugin and field', async ({
    client,
    assert,
  }) => {
    const response = await platform(client, 'get', '/plugins')
    response.assertStatus(200)
    const byName = Object.fromEntries(
      response.body().data.map((p: { name: string }) => [p.name, p])
    )
    assert.isTrue(byName.notes.available)
    assert.equal(byName.notes.version, '1.2.0')
    assert.isTrue(byName['notes-tags'].available)
    assert.isFalse(byName.broken.available)
    assert.include(byName.broken.reasons.join(' | '), 'version: "one point oh" is not semver')
    assert.include(byName.broken.reasons.join(' | '), 'permissions: "elsewhere.x.y"')
    assert.isFalse(byName.future.available)
    assert.match(byName.future.reasons[0], /^host: needs Oryne >=9\.0\.0, this is 0\.1\.0/)
    assert.isFalse(byName.orphan.available)
    assert.equal(byName.orphan.reasons[0], 'dependencies.ghost: not installed')
  })

  test('enabling on tenant A serves its routes at once, and leaves tenant B untouched', async ({
    client,
    assert,
  }) => {
    const [a, b] = [await activeTenant(), await activeTenant()]
    const before = await client.get('/api/v1/notes/notes').header('X-Tenant-ID', a.slug)
    before.assertStatus(404)
    assert.equal(before.body().error.code, 'ERR_PLUGIN_DISABLED')

    const enabled = await platform(client, 'post', `/tenants/${a.slug}/plugins/notes/enable`).json(
      {}
    )
    enabled.assertStatus(200)
    assert.deepEqual(enabled.body().data.enabled, ['notes'])

    const created = await client
      .post('/api/v1/notes/notes')
      .header('X-Tenant-ID', a.slug)
      .json({ body: 'Exams on Monday' })
    created.assertStatus(201)
    const listed = await client.get('/api/v1/notes/notes').header('X-Tenant-ID', a.slug)
    assert.deepEqual(
      listed.body().data.map((n: { body: string }) => n.body),
      ['Exams on Monday']
    )

    const otherTenant = await client.get('/api/v1/notes/notes').header('X-Tenant-ID', b.slug)
    otherTenant.assertStatus(404)
    assert.equal(otherTenant.body().error.code, 'ERR_PLUGIN_DISABLED')

    const invalid = await client
      .post('/api/v1/notes/notes')
      .header('X-Tenant-ID', a.slug)
      .json({ body: '' })
    invalid.assertStatus(400)
    assert.equal(invalid.body().error.code, 'ERR_VALIDATION')

    const shown = await platform(client, 'get', `/tenants/${a.slug}`)
    assert.deepEqual(
      shown
        .body()
        .data.plugins.map((p: { name: string; status: string }) => `${p.name}:${p.status}`),
      ['notes:enabled']
    )
    assert.include(
      shown.body().data.history.map((h: { event: string }) => h.event),
      'plugin.enabled'
    )
  })

  test('dependencies are enabled first, or refused with --no-deps; a needed plugin cannot be disabled', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const refused = await platform(
      client,
      'post',
      `/tenants/${tenant.slug}/plugins/notes-tags/enable`
    ).json({
      with_dependencies: false,
    })
    refused.assertStatus(409)
    assert.equal(refused.body().error.code, 'ERR_PLUGIN_DEPENDENCIES_MISSING')
    assert.deepEqual(refused.body().error.details.missing, ['notes'])

    const enabled = await platform(
      client,
      'post',
      `/tenants/${tenant.slug}/plugins/notes-tags/enable`
    ).json({})
    assert.deepEqual(enabled.body().data.enabled, ['notes', 'notes-tags'])

    const blocked = await platform(
      client,
      'post',
      `/tenants/${tenant.slug}/plugins/notes/disable`
    ).json({})
    blocked.assertStatus(409)
    assert.equal(blocked.body().error.code, 'ERR_PLUGIN_REQUIRED_BY')
    assert.deepEqual(blocked.body().error.details.dependents, ['notes-tags'])
  })

  test('disable keeps the data; re-enabling brings it back', async ({ client, assert }) => {
    const tenant = await activeTenant()
    await platform(client, 'post', `/tenants/${tenant.slug}/plugins/notes/enable`).json({})
    await client
      .post('/api/v1/notes/notes')
      .header('X-Tenant-ID', tenant.slug)
      .json({ body: 'Keep me' })

    ;(
      await platform(client, 'post', `/tenants/${tenant.slug}/plugins/notes/disable`).json({})
    ).assertStatus(200)
    const off = await client.get('/api/v1/notes/notes').header('X-Tenant-ID', tenant.slug)
    off.assertStatus(404)
    assert.equal(off.body().error.code, 'ERR_PLUGIN_DISABLED')

    const again = await platform(
      client,
      'post',
      `/tenants/${tenant.slug}/plugins/notes/enable`
    ).json({})
    assert.deepEqual(again.body().data.enabled, ['notes'])
    const back = await client.get('/api/v1/notes/notes').header('X-Tenant-ID', tenant.slug)
    assert.deepEqual(
      back.body().data.map((n: { body: string }) => n.body),
      ['Keep me']
    )
  })

  test('enabling seeds the default grants into the built-in roles', async ({ client, assert }) => {
    const tenant = await activeTenant()
    await platform(client, 'post', `/tenants/${tenant.slug}/plugins/notes/enable`).json({})
    const { tenantContext } = await import('#core/tenancy/context')
    const { withTenantDb } = await import('#core/tenancy/tenant_db')
    const roles = await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx.from('roles').whereIn('name', ['TenantAdmin', 'Teacher', 'Student']).orderBy('name')
      )
    )
    const byName = Object.fromEntries(roles.map((r) => [r.name, r.permissions]))
    assert.deepEqual(byName.TenantAdmin, ['notes.notes.create', 'notes.notes.read'])
    assert.deepEqual(byName.Teacher, ['notes.notes.read'])
    assert.deepEqual(byName.Student, [])
  })

  test('unknown and unavailable plugins are refused with their codes', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const unknown = await platform(
      client,
      'post',
      `/tenants/${tenant.slug}/plugins/ghost/enable`
    ).json({})
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_PLUGIN_NOT_FOUND')
    const unavailable = await platform(
      client,
      'post',
      `/tenants/${tenant.slug}/plugins/future/enable`
    ).json({})
    unavailable.assertStatus(409)
    assert.equal(unavailable.body().error.code, 'ERR_PLUGIN_UNAVAILABLE')
  })

  test('plugins asked for at creation are enabled once the tenant is active', async ({
    client,
    assert,
  }) => {
    const { uniqueSlug } = await import('#tests/support/tenants')
    const { default: tenancy } = await import('#core/services/tenancy')
    const slug = uniqueSlug('withplugins')
    const created = await tenancy.create(
      { slug, name: 'With plugins', plugins: ['notes-tags'] },
      'test'
    )
    await tenancy.provisionNow(created.id, 'test')
    const states = await platform(client, 'get', `/tenants/${slug}/plugins`)
    const enabled = states
      .body()
      .data.filter((p: { status: string }) => p.status === 'enabled')
      .map((p: { name: string }) => p.name)
    assert.sameMembers(enabled, ['notes', 'notes-tags'])

    const bad = await platform(client, 'post', '/tenants').json({
      slug: uniqueSlug(),
      name: 'Bad',
      plugins: ['future'],
    })
    bad.assertStatus(400)
    assert.match(bad.body().error.details[0].message, /unavailable: host: needs Oryne/)
  })
})
