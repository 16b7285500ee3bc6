import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import jobs from '#core/services/jobs'
import tenancy from '#core/services/tenancy'
import { signedInAs } from '#tests/support/access'
import { PLATFORM_TOKEN, uniqueSlug } from '#tests/support/tenants'

test.group('Platform tenants API', (group) => {
  group.setup(async () => {
    // This process works the tenancy queue, as `oryne worker` would.
    await jobs.work(['tenancy'])
  })

  test('POST /platform/tenants queues provisioning; the tenant becomes active', async ({
    client,
    assert,
  }) => {
    const slug = uniqueSlug('api')
    const created = await client
      .post('/api/v1/platform/tenants')
      .bearerToken(PLATFORM_TOKEN())
      .json({
        slug,
        name: 'Riverside High',
        admin_email: 'Head@Riverside.Example',
        settings: { time_zone: 'Africa/Nairobi', currency: 'kes', locale: 'en-KE' },
      })
    created.assertStatus(202)
    assert.equal(created.body().data.status, 'provisioning')
    assert.equal(created.header('location'), `/api/v1/platform/tenants/${slug}`)

    let shown: any
    for (let i = 0; i < 100; i++) {
      shown = (
        await client.get(`/api/v1/platform/tenants/${slug}`).bearerToken(PLATFORM_TOKEN())
      ).body()
      if (shown.data.status !== 'provisioning') break
      await sleep(50)
    }
    assert.equal(shown.data.status, 'active')
    assert.equal(shown.data.admin_email, 'head@riverside.example')
    assert.deepInclude(shown.data.settings, {
      time_zone: 'Africa/Nairobi',
      currency: 'KES',
      locale: 'en-KE',
    })
    assert.match(shown.data.schema, /^t_[0-9a-f]{32}$/)
    assert.deepEqual(
      shown.data.history.map((h: { event: string }) => h.event),
      ['created', 'provisioned']
    )
    assert.equal(shown.data.provisioning.method, 'clone')
  })

  test('a tenant created with plugins is active only with them enabled and serving', async ({
    client,
    assert,
  }) => {
    const slug = uniqueSlug('race')
    const created = await client
      .post('/api/v1/platform/tenants')
      .bearerToken(PLATFORM_TOKEN())
      .json({ slug, name: 'Race', plugins: ['erp', 'lms'] })
    created.assertStatus(202)

    // The first answer that is not `provisioning` must already list the plugins.
    let shown: any
    for (let i = 0; i < 400; i++) {
      shown = (
        await client.get(`/api/v1/platform/tenants/${slug}`).bearerToken(PLATFORM_TOKEN())
      ).body()
      if (shown.data.status !== 'provisioning') break
      await sleep(10)
    }
    assert.equal(shown.data.status, 'active')
    assert.sameMembers(
      shown.data.plugins
        .filter((p: { status: string }) => p.status === 'enabled')
        .map((p: { name: string }) => p.name),
      ['erp', 'lms']
    )
    const anonymous = await client.get('/api/v1/lms/courses').header('x-tenant-id', slug)
    assert.notEqual(anonymous.body().error?.code, 'ERR_PLUGIN_DISABLED')

    const tenant = await tenancy.registry.findOrFail(slug)
    const token = await signedInAs(tenant, `head@${slug}.example`, ['TenantAdmin'])
    const courses = await client
      .get('/api/v1/lms/courses')
      .header('x-tenant-id', slug)
      .bearerToken(token)
    courses.assertStatus(200)
  })

  test('bad input is refused with ERR_VALIDATION details and nothing is written', async ({
    client,
    assert,
  }) => {
    const cases = [
      { body: { slug: 'admin', name: 'Reserved' }, field: 'slug' },
      { body: { slug: 'Bad_Slug', name: 'Upper' }, field: 'slug' },
      { body: { slug: 'ab', name: 'Too short' }, field: 'slug' },
      { body: { slug: uniqueSlug(), name: 'X' }, field: 'name' },
      {
        body: { slug: uniqueSlug(), name: 'Zone', settings: { time_zone: 'Mars/Olympus' } },
        field: 'settings.time_zone',
      },
      {
        body: { slug: uniqueSlug(), name: 'Money', settings: { currency: 'XYZ' } },
        field: 'settings.currency',
      },
      {
        body: { slug: uniqueSlug(), name: 'Month', settings: { academic_year_start_month: 13 } },
        field: 'settings.academic_year_start_month',
      },
      {
        body: { slug: uniqueSlug(), name: 'Locale', settings: { locale: 'not a locale!' } },
        field: 'settings.locale',
      },
      { body: { slug: uniqueSlug(), name: 'Plan', plan: 'platinum' }, field: 'plan' },
      {
        body: { slug: uniqueSlug(), name: 'Plugins', plugins: ['no-such-plugin'] },
        field: 'plugins.0',
      },
    ]
    for (const { body, field } of cases) {
      const response = await client
        .post('/api/v1/platform/tenants')
        .bearerToken(PLATFORM_TOKEN())
        .json(body)
      assert.equal(response.status(), 400, JSON.stringify(body))
      assert.equal(response.body().error.code, 'ERR_VALIDATION')
      assert.include(
        response.body().error.details.map((d: { field: string }) => d.field),
        field,
        JSON.stringify(body)
      )
      const lookup = await client
        .get(`/api/v1/platform/tenants/${body.slug}`)
        .bearerToken(PLATFORM_TOKEN())
      assert.include([404, 400], lookup.status())
    }
  })

  test('the list pages oldest first, or newest first with sort=-created_at', async ({
    client,
    assert,
  }) => {
    const slug = uniqueSlug('newest')
    ;(
      await client
        .post('/api/v1/platform/tenants')
        .bearerToken(PLATFORM_TOKEN())
        .json({ slug, name: 'Newest' })
    ).assertStatus(202)
    const newest = await client
      .get('/api/v1/platform/tenants?sort=-created_at&per_page=1')
      .bearerToken(PLATFORM_TOKEN())
    newest.assertStatus(200)
    assert.equal(newest.body().data[0].slug, slug)
    const oldest = await client
      .get('/api/v1/platform/tenants?per_page=1')
      .bearerToken(PLATFORM_TOKEN())
    assert.notEqual(oldest.body().data[0].slug, slug)
    const bad = await client.get('/api/v1/platform/tenants?sort=name').bearerToken(PLATFORM_TOKEN())
    bad.assertStatus(400)
    assert.equal(bad.body().error.code, 'ERR_VALIDATION')
  })

  test('a slug in use is a 409 ERR_TENANT_SLUG_TAKEN', async ({ client, assert }) => {
    const slug = uniqueSlug('dup')
    const first = await client
      .post('/api/v1/platform/tenants')
      .bearerToken(PLATFORM_TOKEN())
      .json({ slug, name: 'One' })
    first.assertStatus(202)
    const second = await client
      .post('/api/v1/platform/tenants')
      .bearerToken(PLATFORM_TOKEN())
      .json({ slug, name: 'Two' })
    second.assertStatus(409)
    assert.equal(second.body().error.code, 'ERR_TENANT_SLUG_TAKEN')
  })

  test('lifecycle: suspend, resume, archive, refuse invalid moves, delete only when forced', async ({
    client,
    assert,
  }) => {
    const slug = uniqueSlug('life')
    await client
      .post('/api/v1/platform/tenants')
      .bearerToken(PLATFORM_TOKEN())
      .json({ slug, name: 'Lifecycle' })
    for (let i = 0; i < 100; i++) {
      const shown = await client
        .get(`/api/v1/platform/tenants/${slug}`)
        .bearerToken(PLATFORM_TOKEN())
      if (shown.body().data.status === 'active') break
      await sleep(50)
    }
    const act = (action: string, body = {}) =>
      client
        .post(`/api/v1/platform/tenants/${slug}/${action}`)
        .bearerToken(PLATFORM_TOKEN())
        .json(body)

    const resumeActive = await act('resume')
    resumeActive.assertStatus(409)
    assert.equal(resumeActive.body().error.code, 'ERR_TENANT_INVALID_TRANSITION')

    ;(await act('suspend', { reason: 'term break' })).assertStatus(200)
    ;(await act('resume')).assertStatus(200)
    ;(await act('archive', { reason: 'school closed' })).assertStatus(200)

    const unforced = await client
      .delete(`/api/v1/platform/tenants/${slug}`)
      .bearerToken(PLATFORM_TOKEN())
      .json({})
    unforced.assertStatus(400)
    assert.equal(unforced.body().error.code, 'ERR_CONFIRMATION_REQUIRED')

    const deleted = await client
      .delete(`/api/v1/platform/tenants/${slug}`)
      .bearerToken(PLATFORM_TOKEN())
      .json({ force: true })
    deleted.assertStatus(200)
    assert.equal(deleted.body().data.status, 'deleted')

    const gone = await client.get(`/api/v1/platform/tenants/${slug}`).bearerToken(PLATFORM_TOKEN())
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_TENANT_NOT_FOUND')
  })

  test('PATCH changes name, plan and one setting, keeping the others', async ({
    client,
    assert,
  }) => {
    const slug = uniqueSlug('patch')
    await client
      .post('/api/v1/platform/tenants')
      .bearerToken(PLATFORM_TOKEN())
      .json({ slug, name: 'Patch me', settings: { currency: 'EUR' } })
    const patched = await client
      .patch(`/api/v1/platform/tenants/${slug}`)
      .bearerToken(PLATFORM_TOKEN())
      .json({ name: 'Patched', plan: 'premium', settings: { week_start_day: 7 } })
    patched.assertStatus(200)
    assert.equal(patched.body().data.name, 'Patched')
    assert.equal(patched.body().data.plan, 'premium')
    assert.deepInclude(patched.body().data.settings, { currency: 'EUR', week_start_day: 7 })
  })

  test('GET /platform/tenants paginates and filters by status', async ({ client, assert }) => {
    const listed = await client
      .get('/api/v1/platform/tenants')
      .qs({ per_page: 2, page: 1 })
      .bearerToken(PLATFORM_TOKEN())
    listed.assertStatus(200)
    assert.isAtMost(listed.body().data.length, 2)
    assert.equal(listed.body().meta.pagination.per_page, 2)
    assert.isAtLeast(listed.body().meta.pagination.total, 2)

    const bad = await client
      .get('/api/v1/platform/tenants')
      .qs({ status: 'sleeping' })
      .bearerToken(PLATFORM_TOKEN())
    bad.assertStatus(400)
  })
})
