import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { identity } from '#core/auth/identity'
import type { Tenant } from '#core/tenancy/types'
import { signedInAs, tenantApi } from '#tests/support/access'
import { PASSWORD } from '#tests/support/auth'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

type Api = ReturnType<typeof tenantApi>

const idOf = async (api: Api, email: string) => {
  const listed = await api.get(`/admin/users?q=${encodeURIComponent(email)}`)
  return listed.body().data[0].id as string
}

test.group('RBAC admin: roles', (group) => {
  let tenant: Tenant
  let adminToken: string
  group.setup(async () => {
    tenant = await activeTenant()
    adminToken = await signedInAs(tenant, `boss@${tenant.slug}.example`, ['TenantAdmin'])
  })

  test('a custom role grants its permissions at once, and loses them at once', async ({
    client,
    assert,
  }) => {
    const admin = tenantApi(client, tenant, adminToken)
    const teacherToken = await signedInAs(tenant, 'auditor@school.example', ['Teacher'])
    const teacher = tenantApi(client, tenant, teacherToken)

    const refused = await teacher.get('/admin/audit')
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'ERR_FORBIDDEN')
    assert.include(refused.body().error.message, 'core.audit.read')

    const created = await admin.post('/admin/roles', {
      name: 'Auditor',
      description: 'Reads the audit log',
      permissions: ['core.audit.read'],
    })
    created.assertStatus(201)
    assert.deepInclude(created.body().data, {
      name: 'Auditor',
      builtin: false,
      permissions: ['core.audit.read'],
      users: 0,
    })

    const teacherId = await idOf(admin, 'auditor@school.example')
    const assigned = await admin.put(`/admin/users/${teacherId}/roles`, {
      roles: ['Teacher', 'Auditor'],
    })
    assigned.assertStatus(200)
    assert.deepEqual(assigned.body().data.roles, ['Auditor', 'Teacher'])
    ;(await teacher.get('/admin/audit')).assertStatus(200)

    const emptied = await admin.patch('/admin/roles/Auditor', { permissions: [] })
    emptied.assertStatus(200)
    ;(await teacher.get('/admin/audit')).assertStatus(403)

    const inUse = await admin.delete('/admin/roles/Auditor')
    inUse.assertStatus(409)
    assert.equal(inUse.body().error.code, 'ERR_ROLE_IN_USE')
    ;(await admin.put(`/admin/users/${teacherId}/roles`, { roles: ['Teacher'] })).assertStatus(200)
    ;(await admin.delete('/admin/roles/Auditor')).assertStatus(200)
    const gone = await admin.get('/admin/roles/Auditor')
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_ROLE_NOT_FOUND')
  })

  test('built-in roles cannot be deleted or renamed; TenantAdmin cannot be changed', async ({
    client,
    assert,
  }) => {
    const admin = tenantApi(client, tenant, adminToken)
    const listed = await admin.get('/admin/roles')
    assert.includeMembers(
      listed
        .body()
        .data.filter((r: { builtin: boolean }) => r.builtin)
        .map((r: any) => r.name),
      ['TenantAdmin', 'Teacher', 'Student', 'Parent', 'Staff']
    )
    for (const answer of [
      await admin.delete('/admin/roles/Teacher'),
      await admin.patch('/admin/roles/Teacher', { name: 'Tutor' }),
      await admin.patch('/admin/roles/TenantAdmin', { permissions: ['core.audit.read'] }),
    ]) {
      answer.assertStatus(409)
      assert.equal(answer.body().error.code, 'ERR_ROLE_BUILTIN')
    }
    // A built-in role's permissions can change.
    const changed = await admin.patch('/admin/roles/Staff', { permissions: ['core.users.read'] })
    changed.assertStatus(200)
    assert.deepEqual(changed.body().data.permissions, ['core.users.read'])

    const duplicate = await admin.post('/admin/roles', { name: 'Staff', permissions: [] })
    duplicate.assertStatus(409)
    assert.equal(duplicate.body().error.code, 'ERR_ROLE_EXISTS')
  })

  test('permissions are those of core and of the plugins the tenant enabled', async ({
    client,
    assert,
  }) => {
    const admin = tenantApi(client, tenant, adminToken)
    const before = await admin.get('/admin/permissions')
    before.assertStatus(200)
    assert.deepEqual(
      before.body().data.map((g: { plugin: string }) => g.plugin),
      ['core']
    )
    assert.includeMembers(
      before.body().data[0].permissions.map((p: { name: string }) => p.name),
      ['core.users.manage', 'core.roles.manage', 'core.audit.read', 'core.api_keys.manage']
    )
    const unknown = await admin.post('/admin/roles', {
      name: 'Note taker',
      permissions: ['core.users.read', 'notes.notes.read'],
    })
    unknown.assertStatus(400)
    assert.equal(unknown.body().error.code, 'ERR_VALIDATION')
    assert.deepEqual(
      unknown.body().error.details.map((d: { field: string }) => d.field),
      ['permissions.1']
    )

    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(tenant, ['notes'], { actor: 'test' })
    const after = await admin.get('/admin/permissions')
    const notes = after.body().data.find((g: { plugin: string }) => g.plugin === 'notes')
    assert.deepEqual(
      notes.permissions.map((p: { name: string }) => p.name),
      ['notes.notes.create', 'notes.notes.read']
    )
    ;(
      await admin.post('/admin/roles', { name: 'Note taker', permissions: ['notes.*'] })
    ).assertStatus(201)
  })

  test('bad input is an enveloped 400 and writes nothing', async ({ client, assert }) => {
    const admin = tenantApi(client, tenant, adminToken)
    for (const body of [
      { name: '', permissions: [] },
      { name: 'Has/Slash', permissions: [] },
      { name: 'Fine', permissions: 'core.users.read' },
      { name: 'Fine', permissions: ['Not A Permission'] },
      { name: 'Fine', permissions: ['*'] },
    ]) {
      const answer = await admin.post('/admin/roles', body)
      answer.assertStatus(400)
      assert.equal(answer.body().error.code, 'ERR_VALIDATION', JSON.stringify(body))
      assert.isArray(answer.body().error.details)
    }
    const names = (await admin.get('/admin/roles')).body().data.map((r: any) => r.name)
    assert.notInclude(names, 'Fine')
  })
})

test.group('RBAC admin: users', (group) => {
  let tenant: Tenant
  let adminToken: string
  group.setup(async () => {
    tenant = await activeTenant()
    adminToken = await signedInAs(tenant, `head@${tenant.slug}.example`, ['TenantAdmin'])
  })

  test('create, invite, list with filters, update, disable and enable', async ({
    client,
    assert,
  }) => {
    const admin = tenantApi(client, tenant, adminToken)
    const invited = await admin.post('/admin/users', {
      email: ' New.Student@School.example ',
      roles: ['Student'],
    })
    invited.assertStatus(201)
    assert.deepInclude(invited.body().data, {
      email: 'new.student@school.example',
      status: 'invited',
      roles: ['Student'],
    })
    assert.isString(invited.body().data.invite_token)

    const active = await admin.post('/admin/users', {
      email: 'clerk@school.example',
      name: 'Amina Clerk',
      roles: ['Staff', 'Parent'],
      password: PASSWORD,
    })
    active.assertStatus(201)
    assert.equal(active.body().data.status, 'active')
    assert.notProperty(active.body().data, 'invite_token')

    const taken = await admin.post('/admin/users', {
      email: 'clerk@school.example',
      roles: ['Staff'],
    })
    taken.assertStatus(409)
    assert.equal(taken.body().error.code, 'ERR_USER_EMAIL_TAKEN')

    const students = await admin.get('/admin/users?role=Student&per_page=1')
    assert.deepEqual(
      students.body().data.map((u: any) => u.email),
      ['new.student@school.example']
    )
    assert.deepInclude(students.body().meta.pagination, { page: 1, per_page: 1, total: 1 })
    const searched = await admin.get('/admin/users?q=amina')
    assert.deepEqual(
      searched.body().data.map((u: any) => u.email),
      ['clerk@school.example']
    )
    // The provisioned (invited) admin, the signed-in one and the two above.
    const all = await admin.get('/admin/users?per_page=3&page=2')
    assert.deepInclude(all.body().meta.pagination, { total: 4, last_page: 2 })
    assert.lengthOf(all.body().data, 1)

    const id = active.body().data.id
    const renamed = await admin.patch(`/admin/users/${id}`, { name: 'Amina W. Clerk' })
    renamed.assertStatus(200)
    assert.equal(renamed.body().data.name, 'Amina W. Clerk')

    const signIn = await client
      .post('/api/v1/auth/login')
      .header('x-tenant-id', tenant.slug)
      .json({ email: 'clerk@school.example', password: PASSWORD })
    const clerkToken = signIn.body().data.access_token

    const disabled = await admin.post(`/admin/users/${id}/disable`)
    assert.equal(disabled.body().data.status, 'disabled')
    const me = await client
      .get('/api/v1/auth/me')
      .header('x-tenant-id', tenant.slug)
      .bearerToken(clerkToken)
    me.assertStatus(401)
    const enabled = await admin.post(`/admin/users/${id}/enable`)
    assert.equal(enabled.body().data.status, 'active')

    for (const missing of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const answer = await admin.get(`/admin/users/${missing}`)
      answer.assertStatus(404)
      assert.equal(answer.body().error.code, 'ERR_USER_NOT_FOUND')
    }
  })

  test('bad input is an enveloped 400 with details', async ({ client, assert }) => {
    const admin = tenantApi(client, tenant, adminToken)
    const answers = [
      await admin.post('/admin/users', { email: 'not-an-email', roles: [] }),
      await admin.post('/admin/users', { email: 'x@school.example', roles: ['Wizard'] }),
      await admin.post('/admin/users', {
        email: 'y@school.example',
        roles: ['Staff'],
        password: 'short',
      }),
      await admin.get('/admin/users?per_page=100000'),
      await admin.get('/admin/users?status=sleeping'),
      await admin.put('/admin/users/00000000-0000-4000-8000-000000000000/roles', {
        roles: 'Staff',
      }),
    ]
    for (const answer of answers) {
      answer.assertStatus(400)
      assert.equal(answer.body().error.code, 'ERR_VALIDATION')
      assert.isNotEmpty(answer.body().error.details)
    }
    const emails = (await admin.get('/admin/users')).body().data.map((u: any) => u.email)
    assert.notIncludeMembers(emails, ['x@school.example', 'y@school.example'])
  })

  test('nobody grants what they do not hold; the last TenantAdmin stays', async ({
    client,
    assert,
  }) => {
    const admin = tenantApi(client, tenant, adminToken)
    ;(
      await admin.post('/admin/roles', {
        name: 'People manager',
        permissions: ['core.users.manage', 'core.users.read'],
      })
    ).assertStatus(201)
    const manager = tenantApi(
      client,
      tenant,
      await signedInAs(tenant, 'hr@school.example', ['People manager'])
    )
    const created = await manager.post('/admin/users', {
      email: 'kid@school.example',
      roles: ['Student'],
    })
    created.assertStatus(201)
    const kid = created.body().data.id

    const promote = await manager.put(`/admin/users/${kid}/roles`, { roles: ['TenantAdmin'] })
    promote.assertStatus(403)
    assert.equal(promote.body().error.code, 'ERR_FORBIDDEN')
    const role = await manager.post('/admin/roles', { name: 'Sneaky', permissions: [] })
    role.assertStatus(403)
    assert.include(role.body().error.message, 'core.roles.manage')

    const headId = await idOf(admin, `head@${tenant.slug}.example`)
    const alone = await admin.post(`/admin/users/${headId}/disable`)
    alone.assertStatus(409)
    assert.equal(alone.body().error.code, 'ERR_LAST_TENANT_ADMIN')
    const demoted = await admin.put(`/admin/users/${headId}/roles`, { roles: ['Staff'] })
    demoted.assertStatus(409)
    assert.equal(demoted.body().error.code, 'ERR_LAST_TENANT_ADMIN')

    // The platform token acts with every permission; an invited admin does not count as active.
    const platform = tenantApi(client, tenant, PLATFORM_TOKEN())
    ;(await platform.put(`/admin/users/${kid}/roles`, { roles: ['TenantAdmin'] })).assertStatus(200)
    ;(await admin.put(`/admin/users/${headId}/roles`, { roles: ['Staff'] })).assertStatus(409)
    const hrId = await idOf(admin, 'hr@school.example')
    ;(await platform.put(`/admin/users/${hrId}/roles`, { roles: ['TenantAdmin'] })).assertStatus(
      200
    )
    ;(await admin.put(`/admin/users/${headId}/roles`, { roles: ['Staff'] })).assertStatus(200)
  })
})

test.group('Platform actor', () => {
  test('a platform admin’s changes are recorded as platform_user:<id>', async ({
    client,
    assert,
  }) => {
    const tenant = await activeTenant()
    const email = `ops-${tenant.slug}@platform.example`
    const created = await identity.platformUsers.create({ email, password: PASSWORD })
    const login = await client
      .post('/api/v1/platform/auth/login')
      .json({ email, password: PASSWORD })
    const token = login.body().data.access_token
    ;(
      await client
        .post(`/api/v1/platform/tenants/${tenant.slug}/domains`)
        .bearerToken(token)
        .json({ domain: `${tenant.slug}.school.example` })
    ).assertStatus(201)
    ;(
      await client
        .delete(`/api/v1/platform/tenants/${tenant.slug}/domains/${tenant.slug}.school.example`)
        .bearerToken(PLATFORM_TOKEN())
    ).assertStatus(200)
    const shown = await client.get(`/api/v1/platform/tenants/${tenant.slug}`).bearerToken(token)
    const actors = shown
      .body()
      .data.history.filter((h: { event: string }) => h.event.startsWith('domain.'))
      .map((h: { actor: string }) => h.actor)
    assert.sameMembers(actors, [`platform_user:${created.id}`, 'platform:token'])
  })
})
