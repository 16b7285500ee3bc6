import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@japa/api-client'
import jobs from '#core/services/jobs'
import type { Tenant } from '#core/tenancy/types'
import { tenantApi } from '#tests/support/access'
import { createUser, PASSWORD } from '#tests/support/auth'
import { FakeGns } from '#tests/support/gns'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

/*
 * Notifications end to end: the admin's send endpoint, the password reset and
 * the ERP attendance alert produce in-app notifications and GNS calls (to a
 * real local HTTP server implementing the GNS contract), under the users'
 * preferences, with retries, dead letters and deduplication.
 */

const GNS_KEY = 'gns-test-key'
const ENV = {
  GNS_API_KEY: GNS_KEY,
  GNS_TIMEOUT_MS: '400',
  ORYNE_NOTIFICATION_ATTEMPTS: '3',
  ORYNE_NOTIFICATION_BACKOFF_MS: '100',
  ORYNE_NOTIFICATION_DEDUP_SECONDS: '600',
  // The fake GNS listens on 127.0.0.1, which outbound calls refuse unless allowed.
  ORYNE_OUTBOUND_ALLOW: '127.0.0.1/32',
}

async function eventually<T>(
  check: () => Promise<T> | T,
  ms = 15_000
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    // An empty list is not there yet.
    if (value && !(Array.isArray(value) && !value.length))
      return value as Exclude<T, false | null | undefined>
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(50)
  }
}

type Person = { id: string; email: string; token: string }

async function person(client: ApiClient, tenant: Tenant, name: string, role = 'Student') {
  const email = `${name}@${tenant.slug}.example`
  const { user } = await createUser(tenant, { email, role })
  const login = await client
    .post('/api/v1/auth/login')
    .header('x-tenant-id', tenant.slug)
    .json({ email, password: PASSWORD })
  login.assertStatus(200)
  return { id: user.id, email, token: login.body().data.access_token } as Person
}

const welcome = (name: string) => ({ name, institution: 'Riverside' })

test.group('Notifications', (group) => {
  let gns: FakeGns
  const saved: Record<string, string | undefined> = {}

  group.setup(async () => {
    gns = await FakeGns.start(GNS_KEY)
    for (const [key, value] of Object.entries({ ...ENV, GNS_API_URL: gns.url })) {
      saved[key] = process.env[key]
      process.env[key] = value
    }
    await jobs.work(['notifications'])
    return async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
      await gns.close()
    }
  })
  group.each.timeout(60_000)

  test('a template reaches GNS (email) and the inbox (in-app); the inbox pages, filters unread and marks read', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
    const ada = await person(client, tenant, 'ada')
    const bob = await person(client, tenant, 'bob')

    const sent = await admin.post('/admin/notifications/send', {
      user_ids: [ada.id],
      template: 'core.welcome_email',
      data: welcome('Ada'),
    })
    sent.assertStatus(202)
    assert.deepEqual(sent.body().data, { in_app: 1, queued: 1, skipped: [], deduplicated: [] })

    const [call] = await eventually(() => gns.sent('core.welcome_email', ada.id))
    assert.equal(call.path, '/api/notifications/send')
    assert.equal(call.authorization, `Bearer ${GNS_KEY}`)
    assert.containSubset(call.body, {
      tenant_id: tenant.id,
      user_id: ada.id,
      channel: 'email',
      template: 'core.welcome_email',
      data: welcome('Ada'),
      priority: 'normal',
      subject: 'Welcome to Riverside',
      body: 'Hello Ada, your account at Riverside is ready.',
      recipient: { email: ada.email },
    })

    await admin.post('/admin/notifications/send', {
      user_ids: [ada.id],
      template: 'core.welcome_email',
      data: welcome('Ada again'),
      priority: 'emergency',
    })
    const inbox = tenantApi(client, tenant, ada.token)
    const page = await inbox.get('/notifications?per_page=1')
    page.assertStatus(200)
    assert.equal(page.body().meta.pagination.total, 2)
    assert.lengthOf(page.body().data, 1)
    assert.equal(page.body().data[0].body, 'Hello Ada again, your account at Riverside is ready.')
    assert.equal(page.body().data[0].priority, 'emergency')
    assert.equal((await inbox.get('/notifications/unread-count')).body().data.unread, 2)

    const first = page.body().data[0].id
    // Someone else's notification does not exist for them.
    ;(await tenantApi(client, tenant, bob.token).post(`/notifications/${first}/read`)).assertStatus(
      404
    )
    const read = await inbox.post(`/notifications/${first}/read`)
    read.assertStatus(200)
    assert.isString(read.body().data.read_at)
    const unread = await inbox.get('/notifications?unread=true')
    assert.lengthOf(unread.body().data, 1)
    assert.notEqual(unread.body().data[0].id, first)
    assert.equal((await inbox.post('/notifications/read-all')).body().data.marked, 1)
    assert.equal((await inbox.get('/notifications/unread-count')).body().data.unread, 0)
    assert.lengthOf(
      (await tenantApi(client, tenant, bob.token).get('/notifications')).body().data,
      0
    )
  })

  test('required variables and unknown templates are refused before anything is stored', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
    const ada = await person(client, tenant, 'ada')
    const missing = await admin.post('/admin/notifications/send', {
      user_ids: [ada.id],
      template: 'core.welcome_email',
      data: { name: 'Ada' },
    })
    missing.assertStatus(400)
    assert.equal(missing.body().error.code, 'ERR_NOTIFICATION_DATA_MISSING')
    assert.deepEqual(missing.body().error.details, [
      { field: 'data.institution', rule: 'required' },
    ])
    const unknown = await admin.post('/admin/notifications/send', {
      user_ids: [ada.id],
      template: 'erp.attendance_below_threshold', // ERP is not enabled for this tenant
      data: {},
    })
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_NOTIFICATION_TEMPLATE_UNKNOWN')
    assert.equal(
      (await tenantApi(client, tenant, ada.token).get('/notifications/unread-count')).body().data
        .unread,
      0
    )
  })

  test('preferences per channel and template, tenant defaults, and a mandatory password reset', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
    const ada = await person(client, tenant, 'ada')
    const bob = await person(client, tenant, 'bob')
    const own = tenantApi(client, tenant, ada.token)

    const set = await own.put('/notifications/preferences', {
      preferences: [{ template: 'core.welcome_email', channel: 'email', enabled: false }],
    })
    set.assertStatus(200)
    const row = set.body().data.find((entry: any) => entry.template === 'core.welcome_email')
    assert.deepEqual(row.channels, { email: false, in_app: true })

    const first = await admin.post('/admin/notifications/send', {
      user_ids: [ada.id, bob.id],
      template: 'core.welcome_email',
      data: welcome('both'),
    })
    // Ada: in-app only; Bob: both channels.
    assert.deepInclude(first.body().data, { in_app: 2, queued: 1 })
    await eventually(() => gns.sent('core.welcome_email', bob.id).length === 1)
    assert.lengthOf(gns.sent('core.welcome_email', ada.id), 0)

    // The tenant switches in-app off for everyone; Bob, who set nothing, follows the default.
    const defaults = await admin.put('/admin/notifications/defaults', {
      preferences: [{ template: '*', channel: 'in_app', enabled: false }],
    })
    defaults.assertStatus(200)
    const second = await admin.post('/admin/notifications/send', {
      user_ids: [ada.id],
      template: 'core.welcome_email',
      data: welcome('nobody'),
    })
    assert.deepEqual(second.body().data, {
      in_app: 0,
      queued: 0,
      skipped: [ada.id],
      deduplicated: [],
    })

    // password_reset cannot be switched off, and goes out even with every email switched off.
    const refused = await own.put('/notifications/preferences', {
      preferences: [
        { template: '*', channel: 'email', enabled: false },
        { template: 'core.password_reset', channel: 'email', enabled: false },
      ],
    })
    refused.assertStatus(409)
    assert.equal(refused.body().error.code, 'ERR_NOTIFICATION_MANDATORY')
    ;(
      await own.put('/notifications/preferences', {
        preferences: [{ template: '*', channel: 'email', enabled: false }],
      })
    ).assertStatus(200)
    const reset = await client
      .post('/api/v1/auth/password-reset')
      .header('x-tenant-id', tenant.slug)
      .json({ email: ada.email })
    reset.assertStatus(202)
    const [call] = await eventually(() => gns.sent('core.password_reset', ada.id))
    assert.equal(call.body.priority, 'high')
    assert.include(call.body.body, call.body.data.token)
    const confirmed = await client
      .post('/api/v1/auth/password-reset/confirm')
      .header('x-tenant-id', tenant.slug)
      .json({ token: call.body.data.token, password: 'Another-Maple-2032' })
    confirmed.assertStatus(200)
  })

  test('a tenant overrides subject and body with the template variables only; other tenants keep the default', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const other = await activeTenant()
    const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
    const ada = await person(client, tenant, 'ada')
    const zoe = await person(client, other, 'zoe')

    for (const body of ['Hi {{name}}, call {{phone}}', 'Hi {{> footer}}', 'Hi {{#name}']) {
      const bad = await admin.put('/admin/notifications/templates/core.welcome_email', { body })
      bad.assertStatus(400)
      assert.equal(bad.body().error.code, 'ERR_NOTIFICATION_TEMPLATE_INVALID')
    }
    const override = await admin.put('/admin/notifications/templates/core.welcome_email', {
      subject: '{{institution}} says hello',
      body: 'Dear {{name}}, welcome aboard.',
    })
    override.assertStatus(200)
    assert.deepInclude(override.body().data.override, { body: 'Dear {{name}}, welcome aboard.' })

    for (const [t, user] of [
      [tenant, ada],
      [other, zoe],
    ] as const) {
      await tenantApi(client, t, PLATFORM_TOKEN()).post('/admin/notifications/send', {
        user_ids: [user.id],
        template: 'core.welcome_email',
        data: welcome('<b>you</b>'),
      })
    }
    const mine = (await tenantApi(client, tenant, ada.token).get('/notifications')).body().data[0]
    assert.deepInclude(mine, {
      subject: 'Riverside says hello',
      body: 'Dear <b>you</b>, welcome aboard.',
    })
    const theirs = (await tenantApi(client, other, zoe.token).get('/notifications')).body().data[0]
    assert.equal(theirs.body, 'Hello <b>you</b>, your account at Riverside is ready.')
    const [call] = await eventually(() => gns.sent('core.welcome_email', ada.id))
    assert.equal(call.body.body, 'Dear <b>you</b>, welcome aboard.')

    ;(await admin.delete('/admin/notifications/templates/core.welcome_email')).assertStatus(200)
    const listed = await admin.get('/admin/notifications/templates')
    const entry = listed.body().data.find((t: any) => t.key === 'core.welcome_email')
    assert.isNull(entry.override)
    assert.sameMembers(entry.variables, ['name', 'institution'])
  })

  test('the same notification to the same user within the window is sent once', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
    const ada = await person(client, tenant, 'ada')
    const send = (name: string) =>
      admin.post('/admin/notifications/send', {
        user_ids: [ada.id],
        template: 'core.welcome_email',
        data: { institution: 'Riverside', name },
      })
    assert.equal((await send('Ada')).body().data.in_app, 1)
    const again = await send('Ada')
    assert.deepEqual(again.body().data, {
      in_app: 0,
      queued: 0,
      skipped: [],
      deduplicated: [ada.id],
    })
    assert.equal((await send('Ada Lovelace')).body().data.in_app, 1)
    await eventually(() => gns.sent('core.welcome_email', ada.id).length === 2)
    await sleep(300)
    assert.lengthOf(gns.sent('core.welcome_email', ada.id), 2)
  })

  test('GNS failures are retried with backoff; exhausted deliveries become dead letters the tenant admin retries', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const other = await activeTenant()
    const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
    const ada = await person(client, tenant, 'ada')
    const send = (name: string) =>
      admin.post('/admin/notifications/send', {
        user_ids: [ada.id],
        template: 'core.welcome_email',
        data: welcome(name),
      })

    // 500, 503, then success: three calls, spaced by the growing backoff.
    gns.answerNext({ status: 500 }, { status: 503 })
    await send('flaky')
    const calls = await eventually(() => {
      const made = gns.requests.filter(
        (r) => r.body.user_id === ada.id && r.body.data.name === 'flaky'
      )
      return made.length === 3 && made
    })
    assert.deepEqual(
      calls.map((c) => c.answered),
      [500, 503, 200]
    )

    // Three timeouts: the delivery is dead after the third try.
    gns.answerNext(
      { status: 200, delayMs: 1000 },
      { status: 200, delayMs: 1000 },
      { status: 200, delayMs: 1000 }
    )
    await send('slow')
    const dead = await eventually(async () => {
      const list = (await admin.get('/admin/notifications/dead-letters')).body().data
      return list.length === 1 && list
    })
    assert.containSubset(dead[0], {
      user_id: ada.id,
      template: 'core.welcome_email',
      channel: 'email',
      attempts: 3,
    })
    assert.include(dead[0].last_error, 'did not answer within 400 ms')
    assert.notProperty(dead[0], 'body')
    // Another tenant's admin sees none of it.
    const theirs = await tenantApi(client, other, PLATFORM_TOKEN()).get(
      '/admin/notifications/dead-letters'
    )
    assert.lengthOf(theirs.body().data, 0)
    ;(
      await tenantApi(client, other, PLATFORM_TOKEN()).post(
        `/admin/notifications/dead-letters/${dead[0].id}/retry`
      )
    ).assertStatus(404)

    await sleep(1200) // the timed-out calls finish answering
    const before = gns.requests.length
    const retried = await admin.post(`/admin/notifications/dead-letters/${dead[0].id}/retry`)
    retried.assertStatus(200)
    await eventually(() =>
      gns.requests.slice(before).some((r) => r.body.data.name === 'slow' && r.answered === 200)
    )
    await eventually(
      async () => (await admin.get('/admin/notifications/dead-letters')).body().data.length === 0
    )

    // A refusal (4xx) is not retried: dead at the first try.
    gns.answerNext({ status: 422 })
    await send('refused')
    const refused = await eventually(async () => {
      const list = (await admin.get('/admin/notifications/dead-letters')).body().data
      return list.length === 1 && list[0]
    })
    assert.equal(refused.attempts, 1)
    assert.include(refused.last_error, 'GNS answered 422')
  })

  test('ERP: attendance under the threshold alerts the guardians, once per day', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    ;(
      await client
        .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/erp/enable`)
        .bearerToken(PLATFORM_TOKEN())
        .json({})
    ).assertStatus(200)
    const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
    const parent = await person(client, tenant, 'parent', 'Parent')
    const create = async (resource: string, body: object) => {
      const response = await admin.post(`/erp/${resource}`, body)
      response.assertStatus(201)
      return response.body().data
    }
    const grade5 = await create('classes', { name: 'Grade 5', grade_level: 5 })
    const section = await create('sections', { class_id: grade5.id, name: 'A', capacity: 30 })
    const kid = await create('students', {
      enrollment_no: 'A-1',
      first_name: 'Kit',
      last_name: 'Marlowe',
      class_id: grade5.id,
      section_id: section.id,
    })
    await create('guardians', { student_id: kid.id, user_id: parent.id, name: 'Parent' })
    const mark = (date: string, status: string) =>
      admin.post('/erp/attendance/bulk', {
        section_id: section.id,
        date,
        marks: [{ student_id: kid.id, status }],
      })
    ;(await mark('2026-09-07', 'present')).assertStatus(200)
    ;(await mark('2026-09-08', 'absent')).assertStatus(200)
    ;(await mark('2026-09-08', 'absent')).assertStatus(200) // the same day again
    const alert = await eventually(async () => {
      const list = (await tenantApi(client, tenant, parent.token).get('/notifications')).body().data
      return list.length > 0 && list
    })
    assert.lengthOf(alert, 1)
    assert.equal(alert[0].template, 'erp.attendance_below_threshold')
    assert.equal(alert[0].subject, 'Attendance alert: Kit Marlowe')
    assert.include(alert[0].body, 'is 50% over the last 30 days')
    const calls = await eventually(() => {
      const made = gns.sent('erp.attendance_below_threshold', parent.id)
      return made.length === 2 && made
    })
    assert.sameMembers(
      calls.map((c) => c.body.channel),
      ['email', 'push']
    )
    assert.equal(calls[0].body.priority, 'high')
  })
})
