import { test } from '@japa/runner'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { signedInAs, tenantApi } from '#tests/support/access'
import { activeTenant } from '#tests/support/tenants'

/*
 * Invitations reach the invited person through notifications: the mandatory
 * `core.invitation` template, by email through GNS (queued here; the GNS
 * delivery itself is covered by notifications.spec.ts).
 */
test.group('Invitations', () => {
  test('inviting a user queues the core.invitation e-mail carrying the invitation code', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const admin = await signedInAs(tenant, `head@${tenant.slug}.example`, ['TenantAdmin'])
    const invited = await tenantApi(client, tenant, admin).post('/admin/users', {
      email: `newcomer@${tenant.slug}.example`,
      name: 'Newcomer',
      roles: ['Teacher'],
    })
    invited.assertStatus(201)
    const { id, invite_token: token } = invited.body().data
    assert.isString(token)

    const deliveries = await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx
          .from('notification_deliveries')
          .where('user_id', id)
          .select('template', 'channel', 'body')
      )
    )
    assert.lengthOf(deliveries, 1)
    assert.include(deliveries[0], { template: 'core.invitation', channel: 'email' })
    assert.include(deliveries[0].body, token)
    assert.include(deliveries[0].body, `School ${tenant.slug}`)

    // Mandatory: the invited user cannot switch it off (as the tenant default cannot either).
    const off = await tenantApi(client, tenant, admin).put('/admin/notifications/defaults', {
      preferences: [{ template: 'core.invitation', channel: 'email', enabled: false }],
    })
    off.assertStatus(409)
    assert.equal(off.body().error.code, 'ERR_NOTIFICATION_MANDATORY')
  })
})
