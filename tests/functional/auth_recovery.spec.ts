import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { identity } from '#core/auth/identity'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { OTHER_PASSWORD, PASSWORD, createUser, later, tenantWithInvite } from '#tests/support/auth'

const DAY = 86_400_000

function post(client: ApiClient, tenant: Tenant, path: string, body: object) {
  return client.post(`/api/v1/auth/${path}`).header('x-tenant-id', tenant.slug).json(body)
}

const rules = (response: { body(): any }) =>
  response.body().error.details.map((d: { rule: string }) => d.rule)

test.group('Invitations and password resets', (group) => {
  let tenant: Tenant
  let inviteToken: string
  group.setup(async () => {
    ;({ tenant, inviteToken } = await tenantWithInvite())
  })

  test('an invitation is refused when unknown or expired, and a weak password is refused', async ({
    client,
    assert,
  }) => {
    const unknown = await post(client, tenant, 'invite/accept', {
      token: 'x'.repeat(32),
      password: PASSWORD,
    })
    unknown.assertStatus(400)
    assert.equal(unknown.body().error.code, 'ERR_AUTH_INVITE_INVALID')

    const expired = await later(8 * DAY, async () =>
      post(client, tenant, 'invite/accept', { token: inviteToken, password: PASSWORD })
    )
    assert.equal(expired.body().error.code, 'ERR_AUTH_INVITE_INVALID')

    const weak = await post(client, tenant, 'invite/accept', {
      token: inviteToken,
      password: 'aaaaaaaa',
    })
    weak.assertStatus(400)
    assert.equal(weak.body().error.code, 'ERR_VALIDATION')
    assert.sameMembers(rules(weak), ['password.min_length', 'password.character_classes'])

    // The admin's email in the password is refused once the invitation names the user.
    const withEmail = await post(client, tenant, 'invite/accept', {
      token: inviteToken,
      password: `admin@${tenant.slug}.example!`,
    })
    assert.deepEqual(rules(withEmail), ['password.contains_email'])

    // Still valid after all these refusals.
    ;(
      await post(client, tenant, 'invite/accept', { token: inviteToken, password: PASSWORD })
    ).assertStatus(200)
  })

  test('the password policy explains each problem', async ({ client, assert }) => {
    const cases: Array<[string, string[]]> = [
      ['short1', ['password.min_length']],
      ['onlylowercaseletters', ['password.character_classes']],
      ['Password123!', ['password.common']],
      ['x'.repeat(120) + 'Y'.repeat(20), ['password.max_length']],
    ]
    for (const [password, expected] of cases) {
      const answer = await post(client, tenant, 'password-reset/confirm', {
        token: 'y'.repeat(32),
        password,
      })
      answer.assertStatus(400)
      assert.deepEqual(rules(answer), expected, password)
      for (const detail of answer.body().error.details) {
        assert.equal(detail.field, 'password')
        assert.isAbove(detail.message.length, 10)
      }
    }
  })

  test('a reset request is answered the same whether or not the email exists', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'forgetful@example.org', role: 'Teacher' })
    const known = await post(client, tenant, 'password-reset', { email: 'forgetful@example.org' })
    const unknown = await post(client, tenant, 'password-reset', { email: 'nobody@example.org' })
    known.assertStatus(202)
    unknown.assertStatus(202)
    assert.deepEqual(known.body().data, unknown.body().data)

    const pending = await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx
          .from('password_resets')
          .join('users', 'users.id', 'password_resets.user_id')
          .whereNull('used_at')
          .select('users.email')
      )
    )
    assert.deepEqual(
      pending.map((row) => row.email),
      ['forgetful@example.org']
    )
  })

  test('a reset token sets a new password once, and ends every session', async ({
    client,
    assert,
  }) => {
    await createUser(tenant, { email: 'reset@example.org', role: 'Teacher' })
    const session = (
      await post(client, tenant, 'login', {
        email: 'reset@example.org',
        password: PASSWORD,
      })
    ).body().data
    const token = (await tenantContext.run(tenant, () =>
      identity.tenant.requestPasswordReset('reset@example.org')
    ))!

    const expired = await later(61 * 60_000, async () =>
      post(client, tenant, 'password-reset/confirm', { token, password: OTHER_PASSWORD })
    )
    assert.equal(expired.body().error.code, 'ERR_AUTH_RESET_TOKEN_INVALID')

    const confirmed = await post(client, tenant, 'password-reset/confirm', {
      token,
      password: OTHER_PASSWORD,
    })
    confirmed.assertStatus(200)

    const reused = await post(client, tenant, 'password-reset/confirm', {
      token,
      password: 'Yet-Another-Pass-9',
    })
    reused.assertStatus(400)
    assert.equal(reused.body().error.code, 'ERR_AUTH_RESET_TOKEN_INVALID')

    const refresh = await post(client, tenant, 'refresh', { refresh_token: session.refresh_token })
    assert.equal(refresh.body().error.code, 'ERR_AUTH_SESSION_ENDED')
    ;(
      await post(client, tenant, 'login', { email: 'reset@example.org', password: OTHER_PASSWORD })
    ).assertStatus(200)

    // A newer request voids the older token.
    const older = await tenantContext.run(tenant, () =>
      identity.tenant.requestPasswordReset('reset@example.org')
    )
    await tenantContext.run(tenant, () => identity.tenant.requestPasswordReset('reset@example.org'))
    const voided = await post(client, tenant, 'password-reset/confirm', {
      token: older!,
      password: PASSWORD,
    })
    assert.equal(voided.body().error.code, 'ERR_AUTH_RESET_TOKEN_INVALID')
  })
})
