import { test } from '@japa/runner'
import { findJob } from '#core/jobs/define_job'
import { pruneAuditLogs } from '#core/audit/retention'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { activeTenant } from '#tests/support/tenants'

const DAY = 86_400_000

test.group('Audit log', (group) => {
  let tenant: Tenant
  group.setup(async () => {
    tenant = await activeTenant()
  })

  test('admin changes are recorded with actor, resource, ip, user agent and request id', async ({
    client,
    assert,
  }) => {
    const token = await signedInAs(tenant, 'registrar@school.example', ['TenantAdmin'])
    const me = await client
      .get('/api/v1/auth/me')
      .header('x-tenant-id', tenant.slug)
      .bearerToken(token)
    const adminId = me.body().data.id
    const created = await client
      .post('/api/v1/admin/users')
      .header('x-tenant-id', tenant.slug)
      .header('user-agent', 'registrar-console/2.1')
      .header('x-request-id', 'audit-test-request-1')
      .bearerToken(token)
      .json({ email: 'pupil@school.example', roles: ['Student'] })
    created.assertStatus(201)
    const pupilId = created.body().data.id
    const admin = tenantApi(client, tenant, token)
    ;(
      await admin.put(`/admin/users/${pupilId}/roles`, { roles: ['Student', 'Parent'] })
    ).assertStatus(200)
    ;(await admin.post(`/admin/users/${pupilId}/disable`)).assertStatus(200)
    ;(await admin.post('/admin/roles', { name: 'Librarian', permissions: [] })).assertStatus(201)

    const entries = await admin.get(`/admin/audit?resource=core.users&resource_id=${pupilId}`)
    entries.assertStatus(200)
    assert.deepEqual(
      entries.body().data.map((e: { action: string }) => e.action),
      ['core.users.disable', 'core.users.roles', 'core.users.invite']
    )
    const invite = entries.body().data[2]
    assert.deepInclude(invite, {
      actor: `user:${adminId}`,
      resource: 'core.users',
      resource_id: pupilId,
      user_agent: 'registrar-console/2.1',
      request_id: 'audit-test-request-1',
    })
    assert.isString(invite.ip)
    assert.deepEqual(entries.body().data[1].data, {
      before: { roles: ['Student'] },
      after: { roles: ['Parent', 'Student'] },
    })

    const byActor = await admin.get(`/admin/audit?actor=user:${adminId}&action=core.roles.*`)
    assert.deepEqual(
      byActor.body().data.map((e: { resource_id: string }) => e.resource_id),
      ['Librarian']
    )
    const paged = await admin.get(`/admin/audit?actor=user:${adminId}&per_page=2`)
    assert.lengthOf(paged.body().data, 2)
    assert.equal(paged.body().meta.pagination.total, 4)
    const past = await admin.get(`/admin/audit?to=${new Date(Date.now() - DAY).toISOString()}`)
    assert.lengthOf(past.body().data, 0)
    const recent = await admin.get(
      `/admin/audit?from=${new Date(Date.now() - DAY).toISOString().slice(0, 10)}`
    )
    assert.isAtLeast(recent.body().data.length, 4)
  })

  test('reading it needs core.audit.read; bad filters are a 400', async ({ client, assert }) => {
    const teacher = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 't@school.example', ['Teacher'])
    )
    const refused = await teacher.get('/admin/audit')
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'ERR_FORBIDDEN')

    const admin = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'a2@school.example', ['TenantAdmin'])
    )
    for (const query of ['from=yesterday', 'to=2026-13-45', 'per_page=0', 'page=-1']) {
      const answer = await admin.get(`/admin/audit?${query}`)
      answer.assertStatus(400)
      assert.equal(answer.body().error.code, 'ERR_VALIDATION', query)
    }
  })

  test('the daily retention job removes entries older than the retention period', async ({
    assert,
  }) => {
    assert.exists(findJob('core.audit_retention'))
    const old = new Date(Date.now() - 400 * DAY)
    const recent = new Date(Date.now() - 10 * DAY)
    const actions = () =>
      tenantContext.run(tenant, () =>
        withTenantDb(async (trx) =>
          (await trx.from('audit_log').where('actor', 'test:retention').select('action')).map(
            (row) => row.action
          )
        )
      )
    await tenantContext.run(tenant, () =>
      withTenantDb((trx) =>
        trx
          .insertQuery()
          .table('audit_log')
          .multiInsert([
            { actor: 'test:retention', action: 'test.old', created_at: old },
            { actor: 'test:retention', action: 'test.recent', created_at: recent },
          ])
      )
    )
    const pruned = await pruneAuditLogs()
    assert.equal(pruned.retention_days, 365)
    assert.isAtLeast(pruned.deleted, 1)
    assert.deepEqual(await actions(), ['test.recent'])
    await pruneAuditLogs({ days: 5 })
    assert.deepEqual(await actions(), [])
  })
})
