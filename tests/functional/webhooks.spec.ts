import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@japa/api-client'
import jobs from '#core/services/jobs'
import { testTenant } from '#core/sdk/testing'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { PLATFORM_TOKEN } from '#tests/support/tenants'
import { Receiver, verifiedSignature } from '#tests/support/webhook_receiver'

/*
 * Outbound webhooks end to end: events of a tenant reach the endpoints its
 * admin subscribed, signed (verified here by a real local HTTP receiver, the
 * way docs/webhooks.md tells integrators to), retried after failures, logged
 * per attempt, redeliverable by hand, disabled after failing for the window,
 * and never sent to another tenant's endpoints.
 */

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined && value !== false) return value as T
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

const ENV = {
  ORYNE_WEBHOOK_BACKOFF_MS: '100',
  ORYNE_WEBHOOK_ATTEMPTS: '3',
  ORYNE_WEBHOOK_TIMEOUT_MS: '2000',
  ORYNE_WEBHOOK_DISABLE_AFTER_SECONDS: '86400',
  // The receiver listens on 127.0.0.1, which outbound calls refuse unless allowed.
  ORYNE_OUTBOUND_ALLOW: '127.0.0.1/32',
}

function admin(client: ApiClient, tenant: Tenant) {
  return tenantApi(client, tenant, PLATFORM_TOKEN())
}

async function subscribe(client: ApiClient, tenant: Tenant, url: string, events: string[]) {
  const created = await admin(client, tenant).post('/admin/webhooks', { url, events })
  created.assertStatus(201)
  created.assertHeader('location', `/api/v1/admin/webhooks/${created.body().data.id}`)
  return created.body().data as { id: string; secret: string; status: string }
}

/** An ERP resource change: the event `erp.fee_categories.created`, emitted after its commit. */
async function feeCategory(client: ApiClient, tenant: Tenant, name: string) {
  const response = await admin(client, tenant).post('/erp/fee_categories', { name })
  response.assertStatus(201)
  return response.body().data as { id: string | number; name: string }
}

async function deliveries(client: ApiClient, tenant: Tenant, endpointId: string) {
  const response = await admin(client, tenant).get(`/admin/webhooks/${endpointId}/deliveries`)
  response.assertStatus(200)
  return response.body().data as Array<Record<string, any>>
}

test.group('Webhooks', (group) => {
  let receiver: Receiver
  const saved: Record<string, string | undefined> = {}

  group.setup(async () => {
    receiver = await Receiver.start()
    for (const [key, value] of Object.entries(ENV)) {
      saved[key] = process.env[key]
      process.env[key] = value
    }
    await jobs.work(['webhooks', 'notifications'])
    return async () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
      await receiver.close()
    }
  })
  group.each.timeout(60_000)

  test('a subscribed event arrives signed; the secret is shown once; attempts are logged', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['erp'] })
    const endpoint = await subscribe(client, tenant, receiver.url('/a/erp'), ['erp.*'])
    assert.match(endpoint.secret, /^whsec_/)
    assert.equal(endpoint.status, 'enabled')
    const other = await subscribe(client, tenant, receiver.url('/a/lms'), ['lms.grade.published'])

    const shown = await admin(client, tenant).get(`/admin/webhooks/${endpoint.id}`)
    shown.assertStatus(200)
    assert.notProperty(shown.body().data, 'secret')

    const category = await feeCategory(client, tenant, 'Tuition')
    const [call] = await until('the delivery', () =>
      receiver.on('/a/erp').length ? receiver.on('/a/erp') : undefined
    )
    assert.isTrue(verifiedSignature(endpoint.secret, call))
    assert.isFalse(verifiedSignature(other.secret, call))
    assert.equal(call.headers['oryne-event'], 'erp.fee_categories.created')
    const body = JSON.parse(call.body)
    assert.equal(body.event, 'erp.fee_categories.created')
    assert.equal(body.tenant_id, tenant.id)
    assert.equal(String(body.data.id), String(category.id))
    assert.equal(body.data.record.name, 'Tuition')

    const [delivery] = await until('a succeeded delivery', async () => {
      const list = await deliveries(client, tenant, endpoint.id)
      return list[0]?.status === 'succeeded' ? list : undefined
    })
    assert.equal(delivery.event, 'erp.fee_categories.created')
    assert.lengthOf(delivery.attempt_log, 1)
    assert.equal(delivery.attempt_log[0].status_code, 200)
    assert.isAtLeast(delivery.attempt_log[0].latency_ms, 0)
    assert.equal(call.headers['oryne-delivery'], delivery.id)

    // Not subscribed to erp events: nothing sent, nothing recorded.
    assert.lengthOf(receiver.on('/a/lms'), 0)
    assert.lengthOf(await deliveries(client, tenant, other.id), 0)
  })

  test('plain http outside loopback, bad patterns and unknown endpoints are refused', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant()
    const http = await admin(client, tenant).post('/admin/webhooks', {
      url: 'http://example.com/hook',
      events: ['*'],
    })
    http.assertStatus(400)
    assert.equal(http.body().error.code, 'ERR_WEBHOOK_URL_INVALID')
    const ftp = await admin(client, tenant).post('/admin/webhooks', {
      url: 'ftp://example.com/hook',
      events: ['*'],
    })
    assert.equal(ftp.body().error.code, 'ERR_WEBHOOK_URL_INVALID')
    const pattern = await admin(client, tenant).post('/admin/webhooks', {
      url: 'https://example.com/hook',
      events: ['erp.**; drop'],
    })
    pattern.assertStatus(400)
    assert.equal(pattern.body().error.code, 'ERR_VALIDATION')
    const missing = await admin(client, tenant).get(
      '/admin/webhooks/00000000-0000-4000-8000-000000000000'
    )
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_WEBHOOK_NOT_FOUND')
    assert.lengthOf((await admin(client, tenant).get('/admin/webhooks')).body().data, 0)

    // Someone without core.webhooks.manage.
    const student = await signedInAs(tenant, `kid@${tenant.slug}.example`, ['Student'])
    const forbidden = await tenantApi(client, tenant, student).get('/admin/webhooks')
    forbidden.assertStatus(403)
  })

  test('a receiver answering 500 gets retries with backoff until it accepts', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['erp'] })
    const endpoint = await subscribe(client, tenant, receiver.url('/retry'), [
      'erp.fee_categories.created',
    ])
    receiver.answer('/retry', 500, 503)
    await feeCategory(client, tenant, 'Transport')

    const [delivery] = await until('the third attempt', async () => {
      const list = await deliveries(client, tenant, endpoint.id)
      return list[0]?.status === 'succeeded' ? list : undefined
    })
    assert.deepEqual(
      delivery.attempt_log.map((attempt: any) => attempt.status_code),
      [500, 503, 200]
    )
    assert.equal(delivery.attempts, 3)
    const calls = receiver.on('/retry')
    assert.lengthOf(calls, 3)
    // The same body every time, each signed afresh; the backoff doubles (100 ms, then 200 ms).
    assert.isTrue(
      calls.every((call) => call.body === calls[0].body && verifiedSignature(endpoint.secret, call))
    )
    const at = delivery.attempt_log.map((attempt: any) => Date.parse(attempt.attempted_at))
    assert.isAtLeast(at[2] - at[1], 150)
    // A success clears the failure record.
    const shown = await admin(client, tenant).get(`/admin/webhooks/${endpoint.id}`)
    assert.isNull(shown.body().data.failing_since)
  })

  test('a delivery that ran out of tries is redelivered by hand, signed with the rotated secret', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['erp'] })
    const endpoint = await subscribe(client, tenant, receiver.url('/manual'), ['erp.*'])
    receiver.answer('/manual', 500, 500, 500)
    await feeCategory(client, tenant, 'Library')
    const [failed] = await until('the given-up delivery', async () => {
      const list = await deliveries(client, tenant, endpoint.id)
      return list[0]?.status === 'failed' ? list : undefined
    })
    assert.equal(failed.attempts, 3)
    assert.equal(failed.last_status_code, 500)

    const rotated = await admin(client, tenant).post(`/admin/webhooks/${endpoint.id}/rotate-secret`)
    rotated.assertStatus(200)
    const secret = rotated.body().data.secret as string
    assert.notEqual(secret, endpoint.secret)

    const again = await admin(client, tenant).post(
      `/admin/webhooks/${endpoint.id}/deliveries/${failed.id}/redeliver`
    )
    again.assertStatus(202)
    const [redelivered] = await until('the manual attempt', async () => {
      const list = await deliveries(client, tenant, endpoint.id)
      return list[0]?.status === 'succeeded' ? list : undefined
    })
    assert.lengthOf(redelivered.attempt_log, 4)
    assert.include(redelivered.attempt_log[3], { manual: true, status_code: 200, number: 4 })
    const last = receiver.on('/manual').at(-1)!
    assert.isTrue(verifiedSignature(secret, last))
    assert.isFalse(verifiedSignature(endpoint.secret, last))

    const unknown = await admin(client, tenant).post(
      `/admin/webhooks/${endpoint.id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`
    )
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_WEBHOOK_DELIVERY_NOT_FOUND')
  })

  test('an endpoint failing for the whole window is disabled and the tenant admins are told', async ({
    client,
    assert,
  }) => {
    process.env.ORYNE_WEBHOOK_DISABLE_AFTER_SECONDS = '1'
    process.env.ORYNE_WEBHOOK_BACKOFF_MS = '400'
    try {
      const tenant = await testTenant({ plugins: ['erp'] })
      const head = await signedInAs(tenant, `head@${tenant.slug}.example`, ['TenantAdmin'])
      const endpoint = await subscribe(client, tenant, receiver.url('/down'), ['erp.*'])
      receiver.answer('/down', 500, 500, 500, 500, 500, 500)
      await feeCategory(client, tenant, 'Sports')

      const disabled = await until('the endpoint disabled', async () => {
        const shown = await admin(client, tenant).get(`/admin/webhooks/${endpoint.id}`)
        return shown.body().data.status === 'disabled' ? shown.body().data : undefined
      })
      assert.isString(disabled.disabled_at)
      assert.match(disabled.disabled_reason, /failing/)

      const inbox = await until('the admin notification', async () => {
        const list = await tenantApi(client, tenant, head).get('/notifications')
        const found = list
          .body()
          .data.filter((item: any) => item.template === 'core.webhook_disabled')
        return found.length ? found : undefined
      })
      assert.lengthOf(inbox, 1)
      assert.include(inbox[0].body, receiver.url('/down'))

      // A disabled endpoint gets nothing more; redelivery is refused until it is enabled again.
      const before = receiver.on('/down').length
      await feeCategory(client, tenant, 'Music')
      await sleep(600)
      assert.equal(receiver.on('/down').length, before)
      const [first] = await deliveries(client, tenant, endpoint.id)
      const refused = await admin(client, tenant).post(
        `/admin/webhooks/${endpoint.id}/deliveries/${first.id}/redeliver`
      )
      refused.assertStatus(409)
      assert.equal(refused.body().error.code, 'ERR_WEBHOOK_DISABLED')

      const enabled = await admin(client, tenant).patch(`/admin/webhooks/${endpoint.id}`, {
        enabled: true,
      })
      assert.include(enabled.body().data, { status: 'enabled', failing_since: null })
      await feeCategory(client, tenant, 'Drama')
      await until('a delivery after enabling', () =>
        receiver.on('/down').some((call) => JSON.parse(call.body).data.record?.name === 'Drama')
      )
    } finally {
      process.env.ORYNE_WEBHOOK_DISABLE_AFTER_SECONDS = ENV.ORYNE_WEBHOOK_DISABLE_AFTER_SECONDS
      process.env.ORYNE_WEBHOOK_BACKOFF_MS = ENV.ORYNE_WEBHOOK_BACKOFF_MS
    }
  })

  test('redirects are never followed, and private addresses are refused unless allowed', async ({
    client,
    assert,
  }) => {
    const tenant = await testTenant({ plugins: ['erp'] })
    const endpoint = await subscribe(client, tenant, receiver.url('/moved'), ['erp.*'])
    receiver.answer('/moved', 302, 302, 302)
    await feeCategory(client, tenant, 'Moved')
    const [moved] = await until('the redirected delivery given up', async () => {
      const list = await deliveries(client, tenant, endpoint.id)
      return list[0]?.status === 'failed' ? list : undefined
    })
    assert.deepEqual(
      moved.attempt_log.map((attempt: any) => attempt.status_code),
      [302, 302, 302]
    )
    assert.match(moved.last_error, /^redirect to .*\/elsewhere not followed$/)
    assert.lengthOf(receiver.on('/elsewhere'), 0)

    // Without the test run's allow-list, the receiver on 127.0.0.1 is out of bounds.
    delete process.env.ORYNE_OUTBOUND_ALLOW
    try {
      const guarded = await subscribe(client, tenant, receiver.url('/private'), ['erp.*'])
      await feeCategory(client, tenant, 'Private')
      const [refused] = await until('the refused delivery', async () => {
        const list = await deliveries(client, tenant, guarded.id)
        return list[0]?.status === 'failed' ? list : undefined
      })
      assert.isNull(refused.last_status_code)
      assert.match(
        refused.last_error,
        /^refused: 127\.0\.0\.1 is not a public address \(loopback\)/
      )
      assert.lengthOf(receiver.on('/private'), 0)
    } finally {
      process.env.ORYNE_OUTBOUND_ALLOW = ENV.ORYNE_OUTBOUND_ALLOW
    }
  })

  test("tenant B's events never reach tenant A's endpoints, nor its deliveries", async ({
    client,
    assert,
  }) => {
    const a = await testTenant({ plugins: ['erp'] })
    const b = await testTenant({ plugins: ['erp'] })
    const ofA = await subscribe(client, a, receiver.url('/iso/a'), ['*'])
    const ofB = await subscribe(client, b, receiver.url('/iso/b'), ['*'])

    await feeCategory(client, b, 'Only B')
    await until('B’s delivery', () => receiver.on('/iso/b').length > 0)
    await sleep(300)
    assert.lengthOf(receiver.on('/iso/a'), 0)
    assert.isTrue(verifiedSignature(ofB.secret, receiver.on('/iso/b')[0]))
    assert.equal(JSON.parse(receiver.on('/iso/b')[0].body).tenant_id, b.id)

    // A's admin cannot see or touch B's endpoint.
    const foreign = await admin(client, a).get(`/admin/webhooks/${ofB.id}`)
    foreign.assertStatus(404)
    const foreignDeliveries = await admin(client, a).get(`/admin/webhooks/${ofB.id}/deliveries`)
    foreignDeliveries.assertStatus(404)
    assert.lengthOf(await deliveries(client, a, ofA.id), 0)
  })
})
