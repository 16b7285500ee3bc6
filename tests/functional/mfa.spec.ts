import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { generate } from 'otplib'
import { identity } from '#core/auth/identity'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { PASSWORD, later } from '#tests/support/auth'
import { activeTenant } from '#tests/support/tenants'

const MINUTE = 60_000

/** The code an authenticator shows `offsetMs` from now. */
async function codeAt(secret: string, offsetMs = 0) {
  return generate({ secret, epoch: Math.floor((Date.now() + offsetMs) / 1000) })
}

function auth(
  client: ApiClient,
  tenant: Tenant | null,
  method: 'get' | 'post',
  path: string,
  body?: object,
  token?: string
) {
  const prefix = tenant ? '/api/v1/auth' : '/api/v1/platform/auth'
  let request = client[method](`${prefix}${path}`)
  if (tenant) request = request.header('x-tenant-id', tenant.slug)
  if (token) request = request.bearerToken(token)
  return body ? request.json(body) : request
}

test.group('MFA (TOTP)', (group) => {
  let tenant: Tenant
  group.setup(async () => {
    tenant = await activeTenant()
  })

  test('enrol, confirm, then sign in with a second step; codes are used once', async ({
    client,
    assert,
  }) => {
    const email = 'bursar@school.example'
    const token = await signedInAs(tenant, email, ['Staff'])
    const enrolled = await auth(client, tenant, 'post', '/mfa/enroll', {}, token)
    enrolled.assertStatus(201)
    const { secret, otpauth_url: url } = enrolled.body().data
    assert.match(url, /^otpauth:\/\/totp\//)
    assert.include(decodeURIComponent(url), email)
    assert.include(url, `secret=${secret}`)

    const wrong = await auth(
      client,
      tenant,
      'post',
      '/mfa/confirm',
      { code: await codeAt(secret, 10 * MINUTE) },
      token
    )
    wrong.assertStatus(401)
    assert.equal(wrong.body().error.code, 'ERR_AUTH_MFA_INVALID')
    const first = await codeAt(secret)
    const confirmed = await auth(client, tenant, 'post', '/mfa/confirm', { code: first }, token)
    confirmed.assertStatus(200)
    const recovery: string[] = confirmed.body().data.recovery_codes
    assert.lengthOf(recovery, 10)
    const me = await auth(client, tenant, 'get', '/me', undefined, token)
    assert.isTrue(me.body().data.mfa_enabled)

    const step1 = await auth(client, tenant, 'post', '/login', { email, password: PASSWORD })
    step1.assertStatus(200)
    assert.isTrue(step1.body().data.mfa_required)
    assert.notProperty(step1.body().data, 'access_token')
    const mfaToken = step1.body().data.mfa_token

    const replay = await auth(client, tenant, 'post', '/login/mfa', {
      mfa_token: mfaToken,
      code: first,
    })
    replay.assertStatus(401)
    assert.equal(replay.body().error.code, 'ERR_AUTH_MFA_INVALID')
    const step2 = await later(MINUTE, async () =>
      auth(client, tenant, 'post', '/login/mfa', {
        mfa_token: mfaToken,
        code: await codeAt(secret, MINUTE),
      })
    )
    step2.assertStatus(200)
    assert.isString(step2.body().data.access_token)
    const again = await auth(client, tenant, 'post', '/login/mfa', {
      mfa_token: mfaToken,
      code: recovery[0],
    })
    again.assertStatus(401)
    assert.equal(again.body().error.code, 'ERR_AUTH_MFA_CHALLENGE_INVALID')

    // A recovery code sent along with the password: once.
    const withRecovery = await auth(client, tenant, 'post', '/login', {
      email,
      password: PASSWORD,
      otp: recovery[1],
    })
    withRecovery.assertStatus(200)
    assert.isString(withRecovery.body().data.access_token)
    const reused = await auth(client, tenant, 'post', '/login', {
      email,
      password: PASSWORD,
      otp: recovery[1],
    })
    reused.assertStatus(401)
    assert.equal(reused.body().error.code, 'ERR_AUTH_MFA_INVALID')
    const status = await auth(client, tenant, 'get', '/mfa', undefined, token)
    assert.deepInclude(status.body().data, { enabled: true, recovery_codes_left: 9 })
  })

  test('a challenge dies after 5 wrong codes or 5 minutes', async ({ client, assert }) => {
    const email = 'clerk2@school.example'
    const token = await signedInAs(tenant, email, ['Staff'])
    const { secret } = (await auth(client, tenant, 'post', '/mfa/enroll', {}, token)).body().data
    ;(
      await auth(client, tenant, 'post', '/mfa/confirm', { code: await codeAt(secret) }, token)
    ).assertStatus(200)

    const challenge = async () =>
      (await auth(client, tenant, 'post', '/login', { email, password: PASSWORD })).body().data
        .mfa_token
    const guessed = await challenge()
    for (let i = 0; i < 5; i++) {
      const answer = await auth(client, tenant, 'post', '/login/mfa', {
        mfa_token: guessed,
        code: '000000',
      })
      assert.equal(answer.body().error.code, 'ERR_AUTH_MFA_INVALID')
    }
    const locked = await later(MINUTE, async () =>
      auth(client, tenant, 'post', '/login/mfa', {
        mfa_token: guessed,
        code: await codeAt(secret, MINUTE),
      })
    )
    assert.equal(locked.body().error.code, 'ERR_AUTH_MFA_CHALLENGE_INVALID')

    const slow = await challenge()
    const expired = await later(6 * MINUTE, async () =>
      auth(client, tenant, 'post', '/login/mfa', {
        mfa_token: slow,
        code: await codeAt(secret, 6 * MINUTE),
      })
    )
    expired.assertStatus(401)
    assert.equal(expired.body().error.code, 'ERR_AUTH_MFA_CHALLENGE_INVALID')
  })

  test('disabling needs a code; an admin can reset a lost device; all audited', async ({
    client,
    assert,
  }) => {
    const email = 'nurse@school.example'
    const token = await signedInAs(tenant, email, ['Staff'])
    const { secret } = (await auth(client, tenant, 'post', '/mfa/enroll', {}, token)).body().data
    ;(
      await auth(client, tenant, 'post', '/mfa/confirm', { code: await codeAt(secret) }, token)
    ).assertStatus(200)
    const again = await auth(client, tenant, 'post', '/mfa/enroll', {}, token)
    again.assertStatus(409)
    assert.equal(again.body().error.code, 'ERR_MFA_ALREADY_ENABLED')

    const noCode = await auth(client, tenant, 'post', '/mfa/disable', {}, token)
    noCode.assertStatus(400)
    assert.equal(noCode.body().error.code, 'ERR_VALIDATION')
    const disabled = await later(MINUTE, async () =>
      auth(client, tenant, 'post', '/mfa/disable', { code: await codeAt(secret, MINUTE) }, token)
    )
    disabled.assertStatus(200)
    const direct = await auth(client, tenant, 'post', '/login', { email, password: PASSWORD })
    assert.isString(direct.body().data.access_token)
    const notOn = await auth(client, tenant, 'post', '/mfa/disable', { code: '123456' }, token)
    assert.equal(notOn.body().error.code, 'ERR_MFA_NOT_ENABLED')

    // Enrolled again, then reset by an admin.
    const second = (await auth(client, tenant, 'post', '/mfa/enroll', {}, token)).body().data.secret
    ;(
      await auth(client, tenant, 'post', '/mfa/confirm', { code: await codeAt(second) }, token)
    ).assertStatus(200)
    const admin = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'it@school.example', ['TenantAdmin'])
    )
    const userId = (await auth(client, tenant, 'get', '/me', undefined, token)).body().data.id
    const reset = await admin.delete(`/admin/users/${userId}/mfa`)
    reset.assertStatus(200)
    assert.isFalse(reset.body().data.mfa_enabled)
    const afterReset = await auth(client, tenant, 'post', '/login', { email, password: PASSWORD })
    assert.isString(afterReset.body().data.access_token)

    const audit = await admin.get(`/admin/audit?resource=core.users&resource_id=${userId}`)
    assert.includeMembers(
      audit.body().data.map((e: { action: string }) => e.action),
      ['core.mfa.enable', 'core.mfa.disable', 'core.users.mfa_reset']
    )
  })

  test('bad input to the MFA endpoints is an enveloped 400', async ({ client, assert }) => {
    for (const [path, body] of [
      ['/login/mfa', {}],
      ['/login/mfa', { mfa_token: 'short', code: '123456' }],
      ['/login', { email: 'a@school.example', password: 'x', otp: 12 }],
    ] as const) {
      const answer = await auth(client, tenant, 'post', path, body)
      answer.assertStatus(400)
      assert.equal(answer.body().error.code, 'ERR_VALIDATION', path)
    }
  })

  test('platform admins enrol and sign in with a second step too', async ({ client, assert }) => {
    const email = `root-${tenant.slug}@platform.example`
    await identity.platformUsers.create({ email, password: PASSWORD })
    const first = await auth(client, null, 'post', '/login', { email, password: PASSWORD })
    const token = first.body().data.access_token
    const { secret, otpauth_url: url } = (
      await auth(client, null, 'post', '/mfa/enroll', {}, token)
    ).body().data
    assert.include(decodeURIComponent(url), 'Oryne platform')
    ;(
      await auth(client, null, 'post', '/mfa/confirm', { code: await codeAt(secret) }, token)
    ).assertStatus(200)
    const step1 = await auth(client, null, 'post', '/login', { email, password: PASSWORD })
    assert.isTrue(step1.body().data.mfa_required)
    const step2 = await later(MINUTE, async () =>
      auth(client, null, 'post', '/login/mfa', {
        mfa_token: step1.body().data.mfa_token,
        code: await codeAt(secret, MINUTE),
      })
    )
    step2.assertStatus(200)
    assert.isString(step2.body().data.access_token)
  })
})
