import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { identity } from '#core/auth/identity'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { OTHER_PASSWORD, PASSWORD, createUser, later, tenantWithInvite } from '#tests/support/auth'

const DAY = 86_400_000

type Tokens = { access_token: string; refresh_token: string }

function post(client: ApiClient, tenant: Tenant, path: string, body: object, token?: string) {
  const request = client.post(`/api/v1/auth/${path}`).header('x-tenant-id', tenant.slug).json(body)
  return token ? request.bearerToken(token) : request
}

async function signIn(client: ApiClient, tenant: Tenant, email: string, password = PASSWORD) {
  const response = await post(client, tenant, 'login', { email, password })
  response.assertStatus(200)
  return response.body().data as Tokens
}

function me(client: ApiClient, tenant: Tenant, token: string) {
  return client.get('/api/v1/auth/me').header('x-tenant-id', tenant.slug).bearerToken(token)
}

test.group('Sessions and refresh tokens', (group) => {
  let tenant: Tenant
  group.setup(async () => {
    ;({ tenant } = await tenantWithInvite())
  })

  test('every refresh rotates the refresh token and issues a new access token', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'rotate@example.org', role: 'Teacher' })
    const first = await signIn(client, tenant, 'rotate@example.org')
    const second = await post(client, tenant, 'refresh', { refresh_token: first.refresh_token })
    second.assertStatus(200)
    const rotated = second.body().data as Tokens
    assert.notEqual(rotated.refresh_token, first.refresh_token)
    assert.notEqual(rotated.access_token, first.access_token)
    ;(await me(client, tenant, rotated.access_token)).assertStatus(200)

    const third = await post(client, tenant, 'refresh', { refresh_token: rotated.refresh_token })
    third.assertStatus(200)
  })

  test('reusing a rotated refresh token revokes its whole family', async ({ client, assert }) => {
    await createUser(tenant, { email: 'reuse@example.org', role: 'Teacher' })
    const stolen = await signIn(client, tenant, 'reuse@example.org')
    const elsewhere = await signIn(client, tenant, 'reuse@example.org')
    const legit = (
      await post(client, tenant, 'refresh', { refresh_token: stolen.refresh_token })
    ).body().data as Tokens

    const replay = await post(client, tenant, 'refresh', { refresh_token: stolen.refresh_token })
    replay.assertStatus(401)
    assert.equal(replay.body().error.code, 'ERR_AUTH_TOKEN_REUSED')

    // The newest token of that family, and the access tokens it issued, stop working too.
    const newest = await post(client, tenant, 'refresh', { refresh_token: legit.refresh_token })
    newest.assertStatus(401)
    assert.equal(newest.body().error.code, 'ERR_AUTH_SESSION_ENDED')
    const access = await me(client, tenant, legit.access_token)
    access.assertStatus(401)
    assert.equal(access.body().error.code, 'ERR_AUTH_SESSION_ENDED')

    // Another sign-in of the same user is another family: untouched.
    ;(await me(client, tenant, elsewhere.access_token)).assertStatus(200)
    ;(
      await post(client, tenant, 'refresh', { refresh_token: elsewhere.refresh_token })
    ).assertStatus(200)
  })

  test('two concurrent uses of one refresh token: one wins, the family is revoked', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'race@example.org', role: 'Teacher' })
    const tokens = await signIn(client, tenant, 'race@example.org')
    const answers = await Promise.all(
      [1, 2].map(() => post(client, tenant, 'refresh', { refresh_token: tokens.refresh_token }))
    )
    assert.sameMembers(
      answers.map((a) => a.status()),
      [200, 401]
    )
    const winner = answers.find((a) => a.status() === 200)!.body().data as Tokens
    ;(await me(client, tenant, winner.access_token)).assertStatus(401)
  })

  test('an unused refresh token expires after 7 days', async ({ client, assert }) => {
    await createUser(tenant, { email: 'idle@example.org', role: 'Teacher' })
    const tokens = await signIn(client, tenant, 'idle@example.org')
    const expired = await later(7 * DAY + 60_000, async () =>
      post(client, tenant, 'refresh', { refresh_token: tokens.refresh_token })
    )
    expired.assertStatus(401)
    assert.equal(expired.body().error.code, 'ERR_AUTH_SESSION_ENDED')

    const unknown = await post(client, tenant, 'refresh', { refresh_token: 'x'.repeat(43) })
    unknown.assertStatus(401)
    assert.equal(unknown.body().error.code, 'ERR_AUTH_INVALID_TOKEN')
  })

  test('logout ends the session of a refresh token, or of the bearer', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'bye@example.org', role: 'Teacher' })
    const byRefresh = await signIn(client, tenant, 'bye@example.org')
    const byBearer = await signIn(client, tenant, 'bye@example.org')
    const kept = await signIn(client, tenant, 'bye@example.org')

    const out = await post(client, tenant, 'logout', { refresh_token: byRefresh.refresh_token })
    out.assertStatus(200)
    assert.isTrue(out.body().data.signed_out)
    ;(await post(client, tenant, 'logout', {}, byBearer.access_token)).assertStatus(200)

    for (const ended of [byRefresh, byBearer]) {
      const refresh = await post(client, tenant, 'refresh', { refresh_token: ended.refresh_token })
      assert.equal(refresh.body().error.code, 'ERR_AUTH_SESSION_ENDED')
      const access = await me(client, tenant, ended.access_token)
      assert.equal(access.body().error.code, 'ERR_AUTH_SESSION_ENDED')
    }
    ;(await me(client, tenant, kept.access_token)).assertStatus(200)

    const nothing = await post(client, tenant, 'logout', {})
    nothing.assertStatus(401)
    assert.equal(nothing.body().error.code, 'ERR_AUTH_REQUIRED')
  })

  test('changing the password ends every session and returns a new one', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'change@example.org', role: 'Teacher' })
    const here = await signIn(client, tenant, 'change@example.org')
    const there = await signIn(client, tenant, 'change@example.org')

    const wrong = await post(
      client,
      tenant,
      'password',
      { current_password: 'Not-The-Password-1', new_password: OTHER_PASSWORD },
      here.access_token
    )
    wrong.assertStatus(400)
    assert.equal(wrong.body().error.details[0].field, 'current_password')

    const weak = await post(
      client,
      tenant,
      'password',
      { current_password: PASSWORD, new_password: 'short' },
      here.access_token
    )
    weak.assertStatus(400)
    assert.equal(weak.body().error.code, 'ERR_VALIDATION')
    assert.includeMembers(
      weak.body().error.details.map((d: { rule: string }) => d.rule),
      ['password.min_length', 'password.character_classes']
    )

    const changed = await post(
      client,
      tenant,
      'password',
      { current_password: PASSWORD, new_password: OTHER_PASSWORD },
      here.access_token
    )
    changed.assertStatus(200)
    const fresh = changed.body().data as Tokens

    for (const old of [here, there]) {
      assert.equal(
        (await me(client, tenant, old.access_token)).body().error.code,
        'ERR_AUTH_SESSION_ENDED'
      )
      assert.equal(
        (await post(client, tenant, 'refresh', { refresh_token: old.refresh_token })).body().error
          .code,
        'ERR_AUTH_SESSION_ENDED'
      )
    }
    ;(await me(client, tenant, fresh.access_token)).assertStatus(200)
    const oldPassword = await post(client, tenant, 'login', {
      email: 'change@example.org',
      password: PASSWORD,
    })
    assert.equal(oldPassword.body().error.code, 'ERR_AUTH_INVALID_CREDENTIALS')
    await signIn(client, tenant, 'change@example.org', OTHER_PASSWORD)
  })

  test('disabling a user ends their sessions at once', async ({ client, assert }) => {
    await createUser(tenant, { email: 'off@example.org', role: 'Teacher' })
    const tokens = await signIn(client, tenant, 'off@example.org')
    await tenantContext.run(tenant, () => identity.tenantUsers.setDisabled('off@example.org', true))
    assert.equal(
      (await me(client, tenant, tokens.access_token)).body().error.code,
      'ERR_AUTH_SESSION_ENDED'
    )
    assert.equal(
      (await post(client, tenant, 'refresh', { refresh_token: tokens.refresh_token })).body().error
        .code,
      'ERR_AUTH_SESSION_ENDED'
    )
  })
})
