import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { SignJWT } from 'jose'
import { identity } from '#core/auth/identity'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { PASSWORD, claimsOf, createUser, later, tenantWithInvite } from '#tests/support/auth'

const MINUTE = 60_000

function login(client: ApiClient, tenant: Tenant, body: Record<string, unknown>) {
  return client.post('/api/v1/auth/login').header('x-tenant-id', tenant.slug).json(body)
}

function me(client: ApiClient, tenant: Tenant, token: string) {
  return client.get('/api/v1/auth/me').header('x-tenant-id', tenant.slug).bearerToken(token)
}

test.group('Tenant sign-in', (group) => {
  let tenant: Tenant
  let other: Tenant
  let adminEmail: string
  let inviteToken: string
  group.setup(async () => {
    ;({ tenant, adminEmail, inviteToken } = await tenantWithInvite())
    ;({ tenant: other } = await tenantWithInvite())
    await createUser(tenant, { email: 'teacher@example.org', role: 'Teacher' })
  })

  test('the invited admin accepts the invitation, is signed in, and signs in again later', async ({
    client,
    assert,
  }) => {
    const accepted = await client
      .post('/api/v1/auth/invite/accept')
      .header('x-tenant-id', tenant.slug)
      .json({ token: inviteToken, password: PASSWORD, name: 'Head Teacher' })
    accepted.assertStatus(200)
    const tokens = accepted.body().data
    assert.equal(tokens.token_type, 'Bearer')
    assert.equal(tokens.expires_in, 900)
    assert.isString(tokens.refresh_token)

    const { header, payload } = claimsOf(tokens.access_token)
    assert.equal(header.alg, 'HS256')
    assert.isString(header.kid)
    assert.equal(payload.tid, tenant.id)
    assert.deepEqual(payload.roles, ['TenantAdmin'])
    assert.isString(payload.jti)
    assert.equal(payload.exp - payload.iat, 900)

    const profile = await me(client, tenant, tokens.access_token)
    profile.assertStatus(200)
    assert.deepInclude(profile.body().data, {
      id: payload.sub,
      email: adminEmail,
      name: 'Head Teacher',
      status: 'active',
      roles: ['TenantAdmin'],
    })
    assert.equal(profile.body().data.tenant.slug, tenant.slug)

    const again = await client
      .post('/api/v1/auth/invite/accept')
      .header('x-tenant-id', tenant.slug)
      .json({ token: inviteToken, password: PASSWORD })
    again.assertStatus(400)
    assert.equal(again.body().error.code, 'ERR_AUTH_INVITE_INVALID')

    // Emails are compared trimmed and lowercased.
    const signedIn = await login(client, tenant, {
      email: `  ${adminEmail.toUpperCase()} `,
      password: PASSWORD,
    })
    signedIn.assertStatus(200)
    assert.notEqual(signedIn.body().data.refresh_token, tokens.refresh_token)
  })

  test('unknown email, wrong password and a pending invitation get the same answer', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'invited@example.org', role: 'Student', password: null })
    const answers = await Promise.all([
      login(client, tenant, { email: 'nobody@example.org', password: PASSWORD }),
      login(client, tenant, { email: 'teacher@example.org', password: 'Wrong-Password-1' }),
      login(client, tenant, { email: 'invited@example.org', password: PASSWORD }),
      // The teacher exists in `tenant`, not in `other`.
      login(client, other, { email: 'teacher@example.org', password: PASSWORD }),
    ])
    for (const answer of answers) {
      answer.assertStatus(401)
      assert.equal(answer.body().error.code, 'ERR_AUTH_INVALID_CREDENTIALS')
      assert.equal(answer.body().error.message, answers[0].body().error.message)
    }
  })

  test('a disabled account is told so, but only with the right password', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'gone@example.org', role: 'Staff' })
    await tenantContext.run(tenant, () =>
      identity.tenantUsers.setDisabled('gone@example.org', true)
    )
    const disabled = await login(client, tenant, { email: 'gone@example.org', password: PASSWORD })
    disabled.assertStatus(403)
    assert.equal(disabled.body().error.code, 'ERR_AUTH_ACCOUNT_DISABLED')

    const wrong = await login(client, tenant, {
      email: 'gone@example.org',
      password: 'Wrong-Password-1',
    })
    assert.equal(wrong.body().error.code, 'ERR_AUTH_INVALID_CREDENTIALS')

    await tenantContext.run(tenant, () =>
      identity.tenantUsers.setDisabled('gone@example.org', false)
    )
    const enabled = await login(client, tenant, { email: 'gone@example.org', password: PASSWORD })
    enabled.assertStatus(200)
  })

  test('bad input is ERR_VALIDATION with the fields at fault', async ({ client, assert }) => {
    const empty = await login(client, tenant, {})
    empty.assertStatus(400)
    assert.equal(empty.body().error.code, 'ERR_VALIDATION')
    assert.sameMembers(
      empty.body().error.details.map((d: { field: string }) => d.field),
      ['email', 'password']
    )

    const malformed = await login(client, tenant, { email: 'not-an-email', password: 42 })
    malformed.assertStatus(400)
    assert.sameMembers(
      malformed.body().error.details.map((d: { field: string }) => d.field),
      ['email', 'password']
    )

    const noTenant = await client
      .post('/api/v1/auth/login')
      .json({ email: 'teacher@example.org', password: PASSWORD })
    noTenant.assertStatus(404)
    assert.equal(noTenant.body().error.code, 'ERR_TENANT_NOT_FOUND')
  })

  test('access tokens expire after 15 minutes', async ({ client, assert }) => {
    const signedIn = await login(client, tenant, {
      email: 'teacher@example.org',
      password: PASSWORD,
    })
    const token = signedIn.body().data.access_token

    await later(14 * MINUTE, async () => {
      ;(await me(client, tenant, token)).assertStatus(200)
    })
    await later(16 * MINUTE, async () => {
      const expired = await me(client, tenant, token)
      expired.assertStatus(401)
      assert.equal(expired.body().error.code, 'ERR_AUTH_TOKEN_EXPIRED')
    })
    // The refresh token still renews it.
    const renewed = await later(16 * MINUTE, async () =>
      client
        .post('/api/v1/auth/refresh')
        .header('x-tenant-id', tenant.slug)
        .json({ refresh_token: signedIn.body().data.refresh_token })
    )
    renewed.assertStatus(200)
  })

  test('missing, forged and malformed tokens are refused', async ({ client, assert }) => {
    const missing = await client.get('/api/v1/auth/me').header('x-tenant-id', tenant.slug)
    missing.assertStatus(401)
    assert.equal(missing.body().error.code, 'ERR_AUTH_REQUIRED')

    const signedIn = await login(client, tenant, {
      email: 'teacher@example.org',
      password: PASSWORD,
    })
    const { header, payload } = claimsOf(signedIn.body().data.access_token)
    const forged = await new SignJWT({ ...payload, roles: ['TenantAdmin'] })
      .setProtectedHeader({ alg: 'HS256', kid: header.kid })
      .sign(new TextEncoder().encode('a-secret-that-is-not-the-servers-key-0123'))
    const unsigned = [
      Buffer.from(JSON.stringify({ alg: 'none', kid: header.kid })).toString('base64url'),
      Buffer.from(JSON.stringify(payload)).toString('base64url'),
      '',
    ].join('.')
    // The real token with its signature spelled another way that decodes to the same bytes
    // (an unused low bit of the last character flipped; padding added): one token, one spelling.
    const real: string = signedIn.body().data.access_token
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet[alphabet.indexOf(real.at(-1)!) ^ 1]
    const respelled = [`${real.slice(0, -1)}${last}`, `${real}=`]
    for (const token of [forged, unsigned, 'not.a.jwt', 'opaque-garbage', ...respelled]) {
      const refused = await me(client, tenant, token)
      refused.assertStatus(401)
      assert.equal(refused.body().error.code, 'ERR_AUTH_INVALID_TOKEN', token)
    }
  })

  test('a token of one tenant is refused on another, and a platform token on a tenant', async ({
    client,
    assert,
  }) => {
    const signedIn = await login(client, tenant, {
      email: 'teacher@example.org',
      password: PASSWORD,
    })
    const token = signedIn.body().data.access_token
    const elsewhere = await me(client, other, token)
    elsewhere.assertStatus(401)
    assert.equal(elsewhere.body().error.code, 'ERR_AUTH_TENANT_MISMATCH')

    const refreshElsewhere = await client
      .post('/api/v1/auth/refresh')
      .header('x-tenant-id', other.slug)
      .json({ refresh_token: signedIn.body().data.refresh_token })
    refreshElsewhere.assertStatus(401)
    assert.equal(refreshElsewhere.body().error.code, 'ERR_AUTH_INVALID_TOKEN')

    const { payload } = claimsOf(token)
    const platformToken = await identity.tokens.issue({
      sub: payload.sub,
      tid: 'platform',
      sid: payload.sid,
      roles: ['PlatformAdmin'],
    })
    const platformOnTenant = await me(client, tenant, platformToken.token)
    platformOnTenant.assertStatus(401)
    assert.equal(platformOnTenant.body().error.code, 'ERR_AUTH_TENANT_MISMATCH')
  })
})
