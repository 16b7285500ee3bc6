import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { PASSWORD } from '#tests/support/auth'
import { activeTenant } from '#tests/support/tenants'

test.group('Personal data', (group) => {
  let tenant: Tenant
  let admin: ReturnType<typeof tenantApi>
  let userId: string
  let userToken: string
  group.setup(async () => {
    tenant = await activeTenant()
    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(tenant, ['privacy-probe'], { actor: 'test' })
  })

  test('an admin exports a user across core and every enabled plugin; users export their own', async ({
    client,
    assert,
  }) => {
    admin = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'dpo@school.example', ['TenantAdmin'])
    )
    userToken = await signedInAs(tenant, 'parent@school.example', ['Parent'])
    const me = await client
      .get('/api/v1/auth/me')
      .header('x-tenant-id', tenant.slug)
      .bearerToken(userToken)
    userId = me.body().data.id
    await tenantContext.run(tenant, () =>
      withTenantDb(async (trx) => {
        await trx
          .insertQuery()
          .table('privacy_probe_notes')
          .insert({ user_id: userId, body: 'Allergic to nuts' })
        await trx
          .insertQuery()
          .table('privacy_probe_payments')
          .insert({ user_id: userId, payer_name: 'P. Otieno', amount_minor: 1500 })
      })
    )

    const exported = await admin.get(`/admin/users/${userId}/export`)
    exported.assertStatus(200)
    const archive = exported.body().data
    assert.equal(archive.format, 'oryne.personal-data.v1')
    assert.deepInclude(archive.user, {
      id: userId,
      email: 'parent@school.example',
      roles: ['Parent'],
    })
    assert.lengthOf(archive.sessions, 1)
    assert.deepEqual(archive.plugins['privacy-probe'], {
      notes: [{ body: 'Allergic to nuts' }],
      payments: [{ payer_name: 'P. Otieno', amount_minor: 1500 }],
    })
    assert.notInclude(JSON.stringify(archive), 'password_hash')
    assert.notInclude(JSON.stringify(archive), 'token_hash')

    const own = await client
      .get('/api/v1/auth/me/export')
      .header('x-tenant-id', tenant.slug)
      .bearerToken(userToken)
    own.assertStatus(200)
    assert.equal(own.body().data.user.id, userId)

    const audit = await admin.get(
      `/admin/audit?action=core.personal_data.export&resource_id=${userId}`
    )
    const actors = audit.body().data.map((e: { actor: string }) => e.actor)
    assert.lengthOf(actors, 2)
    assert.equal(actors[0], `user:${userId}`)
    assert.match(actors[1], /^user:/)
    assert.notEqual(actors[1], actors[0])

    const parent = tenantApi(client, tenant, userToken)
    const refused = await parent.get(`/admin/users/${userId}/export`)
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'ERR_FORBIDDEN')
  })

  test('erasure anonymises the user, ends their sessions and keeps records that must stay', async ({
    client,
    assert,
  }) => {
    const erased = await admin.post(`/admin/users/${userId}/erase`)
    erased.assertStatus(200)
    assert.deepEqual(erased.body().data.plugins['privacy-probe'], { erased: 1, anonymised: 1 })

    const shown = await admin.get(`/admin/users/${userId}`)
    assert.deepInclude(shown.body().data, {
      email: `erased-${userId}@invalid`,
      name: 'Erased user',
      status: 'disabled',
      roles: [],
    })
    const me = await client
      .get('/api/v1/auth/me')
      .header('x-tenant-id', tenant.slug)
      .bearerToken(userToken)
    me.assertStatus(401)
    const login = await client
      .post('/api/v1/auth/login')
      .header('x-tenant-id', tenant.slug)
      .json({ email: 'parent@school.example', password: PASSWORD })
    assert.equal(login.body().error.code, 'ERR_AUTH_INVALID_CREDENTIALS')

    const kept = await tenantContext.run(tenant, () =>
      withTenantDb(async (trx) => ({
        notes: await trx.from('privacy_probe_notes').where('user_id', userId).count('* as n'),
        payments: await trx
          .from('privacy_probe_payments')
          .where('user_id', userId)
          .select('payer_name', 'amount_minor'),
        sessions: await trx
          .from('auth_sessions')
          .where('user_id', userId)
          .select('ip', 'revoked_at'),
      }))
    )
    assert.equal(Number(kept.notes[0].n), 0)
    assert.deepEqual(kept.payments, [{ payer_name: null, amount_minor: 1500 }])
    assert.isTrue(kept.sessions.every((s) => s.ip === null && s.revoked_at !== null))

    const audit = await admin.get(`/admin/audit?resource=core.users&resource_id=${userId}`)
    const actions = audit.body().data.map((e: { action: string }) => e.action)
    assert.equal(actions[0], 'core.personal_data.erase')
    assert.include(actions, 'core.personal_data.export')
  })

  test('the last TenantAdmin cannot be erased; unknown users are a 404', async ({
    client,
    assert,
  }) => {
    const lone = await activeTenant()
    const token = await signedInAs(lone, 'only@school.example', ['TenantAdmin'])
    const api = tenantApi(client, lone, token)
    const me = await client
      .get('/api/v1/auth/me')
      .header('x-tenant-id', lone.slug)
      .bearerToken(token)
    const refused = await api.post(`/admin/users/${me.body().data.id}/erase`)
    refused.assertStatus(409)
    assert.equal(refused.body().error.code, 'ERR_LAST_TENANT_ADMIN')
    const missing = await api.get('/admin/users/00000000-0000-4000-8000-000000000000/export')
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_USER_NOT_FOUND')
  })
})
