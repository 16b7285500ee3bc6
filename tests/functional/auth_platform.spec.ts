import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import type { ApiClient } from '@japa/api-client'
import { identity } from '#core/auth/identity'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { PLATFORM_TOKEN } from '#tests/support/tenants'
import { PASSWORD, claimsOf, createUser, tenantWithInvite } from '#tests/support/auth'

type Tokens = { access_token: string; refresh_token: string }

async function platformSignIn(client: ApiClient, email: string) {
  const response = await client
    .post('/api/v1/platform/auth/login')
    .json({ email, password: PASSWORD })
  response.assertStatus(200)
  return response.body().data as Tokens
}

async function tenantSignIn(client: ApiClient, tenant: Tenant, email: string) {
  const response = await client
    .post('/api/v1/auth/login')
    .header('x-tenant-id', tenant.slug)
    .json({ email, password: PASSWORD })
  response.assertStatus(200)
  return response.body().data as Tokens
}

test.group('Platform users and admin routes', (group) => {
  const email = `ops-${randomBytes(3).toString('hex')}@platform.example`
  let tenant: Tenant
  let adminEmail: string
  group.setup(async () => {
    await identity.platformUsers.create({ email, password: PASSWORD })
    ;({ tenant, adminEmail } = await tenantWithInvite())
    await createUser(tenant, { email: 'teacher@example.org', role: 'Teacher' })
    // The invited admin gets a password from an operator (as `oryne user reset-password` does).
    await tenantContext.run(tenant, () => identity.tenantUsers.setPassword(adminEmail, PASSWORD))
  })

  test('a platform admin signs in, refreshes, reads /me and signs out', async ({
    client,
    assert,
  }) => {
    const tokens = await platformSignIn(client, email)
    const { payload } = claimsOf(tokens.access_token)
    assert.equal(payload.tid, 'platform')
    assert.deepEqual(payload.roles, ['PlatformAdmin'])

    const me = await client.get('/api/v1/platform/auth/me').bearerToken(tokens.access_token)
    me.assertStatus(200)
    assert.deepInclude(me.body().data, { email, roles: ['PlatformAdmin'], status: 'active' })
    assert.notProperty(me.body().data, 'tenant')

    const refreshed = await client
      .post('/api/v1/platform/auth/refresh')
      .json({ refresh_token: tokens.refresh_token })
    refreshed.assertStatus(200)
    const reused = await client
      .post('/api/v1/platform/auth/refresh')
      .json({ refresh_token: tokens.refresh_token })
    assert.equal(reused.body().error.code, 'ERR_AUTH_TOKEN_REUSED')

    const again = await platformSignIn(client, email)
    ;(
      await client.post('/api/v1/platform/auth/logout').json({ refresh_token: again.refresh_token })
    ).assertStatus(200)
    const ended = await client.get('/api/v1/platform/auth/me').bearerToken(again.access_token)
    assert.equal(ended.body().error.code, 'ERR_AUTH_SESSION_ENDED')

    const wrong = await client
      .post('/api/v1/platform/auth/login')
      .json({ email, password: 'Wrong-Password-1' })
    wrong.assertStatus(401)
    assert.equal(wrong.body().error.code, 'ERR_AUTH_INVALID_CREDENTIALS')
  })

  test('the platform API takes a platform admin JWT as well as the platform token', async ({
    client,
    assert,
  }) => {
    const tokens = await platformSignIn(client, email)
    const withJwt = await client.get('/api/v1/platform/tenants').bearerToken(tokens.access_token)
    withJwt.assertStatus(200)
    assert.isArray(withJwt.body().data)
    ;(await client.get('/api/v1/platform/tenants').bearerToken(PLATFORM_TOKEN())).assertStatus(200)

    // The platform token is not a user: /me needs a sign-in.
    const staticMe = await client.get('/api/v1/platform/auth/me').bearerToken(PLATFORM_TOKEN())
    staticMe.assertStatus(401)
    assert.equal(staticMe.body().error.code, 'ERR_AUTH_INVALID_TOKEN')

    // A tenant user's token is no platform token, TenantAdmin or not.
    const tenantAdmin = await tenantSignIn(client, tenant, adminEmail)
    for (const url of ['/api/v1/platform/tenants', '/api/v1/platform/auth/me']) {
      const refused = await client.get(url).bearerToken(tenantAdmin.access_token)
      refused.assertStatus(401)
      assert.equal(refused.body().error.code, 'ERR_AUTH_TENANT_MISMATCH', url)
    }
  })

  test('/admin/users takes a TenantAdmin JWT, refuses a Teacher and a platform JWT', async ({
    client,
    assert,
  }) => {
    const users = (token: string) =>
      client.get('/api/v1/admin/users').header('x-tenant-id', tenant.slug).bearerToken(token)

    const admin = await tenantSignIn(client, tenant, adminEmail)
    const listed = await users(admin.access_token)
    listed.assertStatus(200)
    assert.sameMembers(
      listed.body().data.map((u: { email: string }) => u.email),
      [adminEmail, 'teacher@example.org']
    )

    const teacher = await tenantSignIn(client, tenant, 'teacher@example.org')
    const forbidden = await users(teacher.access_token)
    forbidden.assertStatus(403)
    assert.equal(forbidden.body().error.code, 'ERR_FORBIDDEN')

    const platform = await platformSignIn(client, email)
    const mismatch = await users(platform.access_token)
    mismatch.assertStatus(401)
    assert.equal(mismatch.body().error.code, 'ERR_AUTH_TENANT_MISMATCH')

    ;(await users(PLATFORM_TOKEN())).assertStatus(200)
    const anonymous = await client.get('/api/v1/admin/users').header('x-tenant-id', tenant.slug)
    assert.equal(anonymous.body().error.code, 'ERR_AUTH_REQUIRED')
  })
})
