import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import { rateLimitPrefix } from '#core/http/limiter_store'
import { RequestBudgets } from '#core/http/request_budgets'
import { rateLimits, type RateLimitTier } from '#config/limiter'
import { apiKeys } from '#core/auth/api_keys'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant } from '#tests/support/tenants'
import { PASSWORD, createUser } from '#tests/support/auth'

/** Lowers tiers for one test (the test server runs in this process), restored afterwards. */
function limitTiers(
  cleanup: (fn: () => void) => void,
  limits: Partial<Record<RateLimitTier, { requests: number; duration: number }>>
) {
  const original = { ...rateLimits }
  Object.assign(rateLimits, limits)
  cleanup(() => Object.assign(rateLimits, original))
}

const profile = (client: ApiClient, tenant: Tenant) =>
  client.get('/api/v1/tenant').header('X-Tenant-ID', tenant.slug)

async function signIn(client: ApiClient, tenant: Tenant, email: string) {
  const response = await client
    .post('/api/v1/auth/login')
    .header('X-Tenant-ID', tenant.slug)
    .json({ email, password: PASSWORD })
  response.assertStatus(200)
  return response.body().data.access_token as string
}

test.group('Rate limits', () => {
  test('anonymous callers get their budget per tenant, then 429 ERR_RATE_LIMITED with Retry-After', async ({
    client,
    assert,
    cleanup,
  }) => {
    limitTiers(cleanup, { anonymous: { requests: 3, duration: 60 } })
    const [tenant, other] = await Promise.all([activeTenant(), activeTenant()])

    for (const remaining of [2, 1, 0]) {
      const ok = await profile(client, tenant)
      ok.assertStatus(200)
      assert.equal(ok.header('x-ratelimit-limit'), '3')
      assert.equal(ok.header('x-ratelimit-remaining'), String(remaining))
    }

    const refused = await profile(client, tenant)
    refused.assertStatus(429)
    const body = refused.body()
    assert.isFalse(body.success)
    assert.equal(body.error.code, 'ERR_RATE_LIMITED')
    assert.equal(body.error.details.tier, 'anonymous')
    const retryAfter = Number(refused.header('retry-after'))
    assert.isAbove(retryAfter, 0)
    assert.isAtMost(retryAfter, 60)
    assert.equal(refused.header('x-ratelimit-remaining'), '0')
    assert.equal(body.meta.request_id, refused.header('x-request-id'))

    // The same address on another tenant has a budget of its own.
    ;(await profile(client, other)).assertStatus(200)
  })

  test('signed-in users count per user, tenant admins on their own higher tier', async ({
    client,
    assert,
    cleanup,
  }) => {
    limitTiers(cleanup, {
      anonymous: { requests: 50, duration: 60 },
      user: { requests: 2, duration: 60 },
      admin: { requests: 5, duration: 60 },
    })
    const tenant = await activeTenant()
    await createUser(tenant, { email: `teacher@${tenant.slug}.example`, role: 'Teacher' })
    await createUser(tenant, { email: `head@${tenant.slug}.example`, role: 'TenantAdmin' })
    const teacher = await signIn(client, tenant, `teacher@${tenant.slug}.example`)
    const admin = await signIn(client, tenant, `head@${tenant.slug}.example`)

    const asTeacher = () => profile(client, tenant).bearerToken(teacher)
    ;(await asTeacher()).assertStatus(200)
    const last = await asTeacher()
    assert.equal(last.header('x-ratelimit-limit'), '2')
    assert.equal(last.header('x-ratelimit-remaining'), '0')
    const refused = await asTeacher()
    refused.assertStatus(429)
    assert.equal(refused.body().error.details.tier, 'user')

    const asAdmin = await profile(client, tenant).bearerToken(admin)
    asAdmin.assertStatus(200)
    assert.equal(asAdmin.header('x-ratelimit-limit'), '5')
    // Anonymous callers from the same address are not held back by the teacher's budget.
    ;(await profile(client, tenant)).assertStatus(200)
  })

  test('failed sign-ins are limited per address and email; a success clears the count', async ({
    client,
    assert,
    cleanup,
  }) => {
    limitTiers(cleanup, {
      anonymous: { requests: 50, duration: 60 },
      login: { requests: 3, duration: 60 },
    })
    const tenant = await activeTenant()
    const email = `pat@${tenant.slug}.example`
    const other = `sam@${tenant.slug}.example`
    await createUser(tenant, { email, role: 'Teacher' })
    await createUser(tenant, { email: other, role: 'Teacher' })
    const login = (who: string, password: string) =>
      client
        .post('/api/v1/auth/login')
        .header('X-Tenant-ID', tenant.slug)
        .json({ email: who, password })

    for (let i = 0; i < 2; i++) (await login(email, 'wrong-password')).assertStatus(401)
    ;(await login(email, PASSWORD)).assertStatus(200)
    for (let i = 0; i < 3; i++) (await login(email, 'wrong-password')).assertStatus(401)

    const locked = await login(email, PASSWORD)
    locked.assertStatus(429)
    assert.equal(locked.body().error.code, 'ERR_RATE_LIMITED')
    assert.equal(locked.body().error.details.tier, 'login')
    assert.isAbove(Number(locked.header('retry-after')), 0)

    // Another account from the same address is not locked out.
    ;(await login(other, PASSWORD)).assertStatus(200)
  })

  test('an API key with a limit of its own is held to it', async ({ client, assert, cleanup }) => {
    limitTiers(cleanup, { anonymous: { requests: 50, duration: 60 } })
    const tenant = await activeTenant()
    const { key } = await tenantContext.run(tenant, () =>
      apiKeys.create(
        { name: 'partner', scopes: [], rate_limit_per_hour: 2 },
        { actor: 'test', request_id: null, ip: null, user_agent: null }
      )
    )
    const withKey = () => profile(client, tenant).header('X-API-Key', key)
    const first = await withKey()
    first.assertStatus(200)
    assert.equal(first.header('x-ratelimit-limit'), '2')
    ;(await withKey()).assertStatus(200)
    const refused = await withKey()
    refused.assertStatus(429)
    assert.equal(refused.body().error.details.tier, 'apiKey')
    assert.isAbove(Number(refused.header('retry-after')), 3000)

    // A made-up key gets no budget of its own: it counts as anonymous.
    const madeUp = await profile(client, tenant).header('X-API-Key', 'oryne_not-a-real-key')
    assert.equal(madeUp.header('x-ratelimit-limit'), '50')
  })

  test("API processes share a budget through Redis: each learns the others' requests within one sync interval", async ({
    client,
    assert,
    cleanup,
  }) => {
    limitTiers(cleanup, {
      anonymous: { requests: 50, duration: 60 },
      user: { requests: 4, duration: 60 },
    })
    const tenant = await activeTenant()
    await createUser(tenant, { email: `kim@${tenant.slug}.example`, role: 'Teacher' })
    const token = await signIn(client, tenant, `kim@${tenant.slug}.example`)
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
    const asTeacher = () => profile(client, tenant).bearerToken(token)

    const first = await asTeacher()
    first.assertStatus(200)
    assert.equal(first.header('x-ratelimit-remaining'), '3')

    // A second API process (its own counters, the same Redis) serves two of the teacher's requests.
    const redis = await app.container.make('oryne.redis')
    const other = new RequestBudgets(() => redis.shared(), rateLimitPrefix())
    const key = `${claims.tid}:user:${claims.sub}`
    const limit = { requests: 4, duration: 60 }
    assert.deepInclude(await other.consume(key, limit), { allowed: true })
    assert.deepInclude((await other.consume(key, limit)).state, { remaining: 1 })
    await other.flush()
    const stored = Number(await redis.shared().get(`${rateLimitPrefix()}:${key}`))
    assert.equal(stored, 3, "both processes' requests are in Redis")

    // This process has not heard of them yet: it may serve one more (the documented bound),
    // and after its next sync (100 ms) it refuses, as the other process does.
    ;(await asTeacher()).assertStatus(200)
    await new Promise((resolve) => setTimeout(resolve, 250))
    const refused = await asTeacher()
    refused.assertStatus(429)
    assert.equal(refused.body().error.details.tier, 'user')
    // The other process had not heard of this one's last request either: one more there too, at most
    // one interval's worth; once it has synced, it refuses as well.
    assert.deepInclude(await other.consume(key, limit), { allowed: true })
    await other.flush()
    assert.deepInclude(await other.consume(key, limit), { allowed: false })
    assert.equal(Number(await redis.shared().get(`${rateLimitPrefix()}:${key}`)), 5)
    const ttl = await redis.shared().pttl(`${rateLimitPrefix()}:${key}`)
    assert.isAbove(ttl, 0)
    assert.isAtMost(ttl, 60_000)
    await other.flush()
  })

  test('with ORYNE_RATE_LIMIT_SYNC_MS=0 every request is counted in Redis at once', async ({
    assert,
  }) => {
    const redis = await app.container.make('oryne.redis')
    const exact = () => new RequestBudgets(() => redis.shared(), rateLimitPrefix(), { syncMs: 0 })
    const [one, two] = [exact(), exact()]
    const key = `exact-${Date.now()}:anonymous:127.0.0.1`
    const limit = { requests: 3, duration: 30 }
    const answers = []
    for (const budgets of [one, two, one, two, one])
      answers.push((await budgets.consume(key, limit)).allowed)
    assert.deepEqual(answers, [true, true, true, false, false])
    assert.equal(one.size + two.size, 0, 'nothing is kept in memory')
  })

  test('without Redis a process counts alone, and a budget starts again when its window ends', async ({
    assert,
  }) => {
    let now = 1_000_000
    const alone = new RequestBudgets(() => null, rateLimitPrefix(), { now: () => now })
    const limit = { requests: 2, duration: 1 }
    const answers = []
    for (let i = 0; i < 3; i++)
      answers.push(await alone.consume('inline:anonymous:10.0.0.1', limit))
    assert.deepEqual(
      answers.map((answer) => answer.allowed),
      [true, true, false]
    )
    assert.deepEqual(answers[2].state, { limit: 2, remaining: 0, availableIn: 1 })
    now += 1001
    const next = await alone.consume('inline:anonymous:10.0.0.1', limit)
    assert.deepEqual(next, { allowed: true, state: { limit: 2, remaining: 1, availableIn: 1 } })
    await alone.flush()
  })
})
