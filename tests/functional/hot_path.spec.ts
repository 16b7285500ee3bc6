import { test } from '@japa/runner'
import pg from 'pg'
import { TenantCache } from '#core/cache/index'
import { PASSWORD, createUser, tenantWithInvite } from '#tests/support/auth'

/*
 * The request hot path (issue 22): a signed-in request reads its user in one
 * statement outside any transaction, sign-in is two statements, and the one
 * tenant cache forgets what changed in every process at once. Statements are
 * counted on the `pg` client of this process, as bench/statements.ts does.
 */

let recording: string[] | null = null
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown

function countStatements() {
  recording = []
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text
    recording?.push(String(text ?? ''))
    return query.apply(this, args)
  } as typeof pg.Client.prototype.query
  return () => {
    pg.Client.prototype.query = query as typeof pg.Client.prototype.query
    const seen = recording!
    recording = null
    return seen
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300))

test.group('Request hot path', () => {
  test('sign-in is two statements and a signed-in request reads its user in one, outside a transaction; a revoked session ends at once', async ({
    client,
    assert,
  }) => {
    const { tenant } = await tenantWithInvite()
    await createUser(tenant, { email: 'fast@example.org', role: 'Teacher' })
    const login = () =>
      client
        .post('/api/v1/auth/login')
        .header('x-tenant-id', tenant.slug)
        .json({ email: 'fast@example.org', password: PASSWORD })
    ;(await login()).assertStatus(200)
    await settle()

    let stop = countStatements()
    const signedIn = await login()
    const signIn = stop()
    signedIn.assertStatus(200)
    assert.lengthOf(signIn, 2, signIn.join('\n'))
    assert.notInclude(signIn.join('\n'), 'BEGIN')

    const token = signedIn.body().data.access_token
    const me = () =>
      client.get('/api/v1/auth/me').header('x-tenant-id', tenant.slug).bearerToken(token)
    ;(await me()).assertStatus(200)
    await settle()
    stop = countStatements()
    const answered = await me()
    const request = stop()
    answered.assertStatus(200)
    // Authentication comes first, alone and outside a transaction (/auth/me then reads MFA status).
    assert.include(request[0], `"${tenant.schema_name}"."auth_sessions"`, request.join('\n'))
    assert.lengthOf(
      request.filter((statement) => statement.includes('auth_sessions')),
      1
    )

    ;(
      await client
        .post('/api/v1/auth/logout')
        .header('x-tenant-id', tenant.slug)
        .bearerToken(token)
        .json({})
    ).assertStatus(200)
    const after = await me()
    after.assertStatus(401)
    assert.equal(after.body().error.code, 'ERR_AUTH_SESSION_ENDED')
  })
})

test.group('Tenant cache', () => {
  test('keeps one value per tenant and kind, forgets a tenant in every process over the change bus, and stays within its size', async ({
    assert,
  }) => {
    // Two caches stand for two Oryne processes sharing the deployment's Redis.
    const here = new TenantCache({ maxBytes: 1024 ** 2, ttlMs: 60_000 })
    const there = new TenantCache({ maxBytes: 1024 ** 2, ttlMs: 60_000 })
    let loads = 0
    const load = async () => ({ value: ++loads })
    assert.deepEqual(await there.get('permissions', 'tenant-a', '', load), { value: 1 })
    assert.deepEqual(await there.get('permissions', 'tenant-a', '', load), { value: 1 })
    await there.get('custom_fields', 'tenant-a', '', load)
    await there.get('permissions', 'tenant-b', '', load)
    assert.equal(loads, 3)
    await here.get('permissions', 'tenant-a', '', load)
    loads = 3

    here.invalidate({ tenantId: 'tenant-a', kind: 'permissions' }, { broadcast: true })
    const deadline = Date.now() + 5000
    let reread = await there.get('permissions', 'tenant-a', '', load)
    while (reread.value === 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      reread = await there.get('permissions', 'tenant-a', '', load)
    }
    assert.equal(reread.value, 4, 'the other process read the changed permissions again')
    // Other kinds and tenants were kept.
    assert.deepEqual(await there.get('custom_fields', 'tenant-a', '', load), { value: 2 })
    assert.deepEqual(await there.get('permissions', 'tenant-b', '', load), { value: 3 })

    const small = new TenantCache({ maxBytes: 16 * 1024, ttlMs: 60_000 })
    for (let i = 0; i < 500; i++)
      await small.get('registry', `tenant-${i}`, '', async () => 'x'.repeat(100))
    assert.isAtMost(small.stats().bytes, 16 * 1024)
    assert.isBelow(small.stats().entries, 500)
  })

  test('an expired entry is read again', async ({ assert }) => {
    const cache = new TenantCache({ maxBytes: 1024 ** 2, ttlMs: 60_000 })
    let loads = 0
    const load = async () => ++loads
    await cache.get('webhook_endpoints', 'tenant-a', '', load, 50)
    await new Promise((resolve) => setTimeout(resolve, 120))
    assert.equal(await cache.get('webhook_endpoints', 'tenant-a', '', load, 50), 2)
  })
})
