import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { ApiClient } from '@japa/api-client'
import type { Tenant } from '#core/tenancy/types'
import { activeTenant } from '#tests/support/tenants'
import { signIn, type SignedIn } from '#tests/fixtures/plugins/library-lite/testing'

/*
 * GET /api/v1/app/resources: what the web app's generated views
 * (docs/web.md, "Generated views") know of each resource, for the user asking.
 */

async function clubsTenant() {
  const tenant = await activeTenant()
  const plugins = await app.container.make('oryne.plugins')
  await plugins.enable(tenant, ['clubs'], { actor: 'test' })
  return tenant
}

function resources(client: ApiClient, tenant: Tenant, who: SignedIn) {
  return client
    .get('/api/v1/app/resources')
    .header('x-tenant-id', tenant.slug)
    .bearerToken(who.token)
}

const byKey = (data: any[]) => Object.fromEntries(data.map((view) => [view.key, view]))
const fieldOf = (view: any, name: string) => view.fields.find((field: any) => field.name === name)

test.group('Web app: resources for the generated views', (group) => {
  let tenant: Tenant
  let admin: SignedIn
  let teacher: SignedIn
  let student: SignedIn
  let ready: Promise<void> | undefined
  group.each.setup(async () => {
    ready ??= (async () => {
      tenant = await clubsTenant()
    })()
    await ready
  })

  test('a student sees fewer resources and actions than a tenant admin', async ({
    client,
    assert,
  }) => {
    admin ??= await signIn(client, tenant, 'TenantAdmin')
    teacher ??= await signIn(client, tenant, 'Teacher')
    student ??= await signIn(client, tenant, 'Student')

    const asAdmin = await resources(client, tenant, admin)
    asAdmin.assertStatus(200)
    const adminViews = byKey(asAdmin.body().data)
    assert.includeMembers(Object.keys(adminViews), ['clubs.clubs', 'clubs.members'])
    assert.deepEqual(adminViews['clubs.clubs'].actions, {
      create: true,
      update: true,
      delete: true,
    })

    const asTeacher = byKey((await resources(client, tenant, teacher)).body().data)
    assert.deepEqual(asTeacher['clubs.clubs'].actions, {
      create: false,
      update: true,
      delete: false,
    })
    assert.deepEqual(asTeacher['clubs.members'].actions, {
      create: false,
      update: false,
      delete: false,
    })

    const asStudent = await resources(client, tenant, student)
    asStudent.assertStatus(200)
    const studentViews = byKey(asStudent.body().data)
    assert.includeMembers(Object.keys(studentViews), ['clubs.clubs'])
    assert.notInclude(Object.keys(studentViews), 'clubs.members')
    assert.deepEqual(studentViews['clubs.clubs'].actions, {
      create: false,
      update: false,
      delete: false,
    })
  })

  test('each field says how it is shown, filtered, sorted and edited', async ({
    client,
    assert,
  }) => {
    admin ??= await signIn(client, tenant, 'TenantAdmin')
    const clubs = byKey((await resources(client, tenant, admin)).body().data)['clubs.clubs']
    assert.equal(clubs.label_field, 'name')
    assert.equal(clubs.default_sort, 'name')
    assert.isTrue(clubs.searchable)
    assert.equal(clubs.path, '/api/v1/clubs/clubs')
    assert.containsSubset(fieldOf(clubs, 'name'), {
      type: 'string',
      required: true,
      unique: true,
      min_length: 3,
      max_length: 80,
    })
    assert.containsSubset(fieldOf(clubs, 'category'), {
      type: 'enum',
      values: ['sports', 'arts', 'science', 'debate'],
      description: 'What the club does',
      filters: ['eq', 'ne', 'in', 'null'],
      sortable: true,
    })
    assert.containsSubset(fieldOf(clubs, 'room'), { pattern: '^[A-Z]\\d{1,3}$', max_length: 20 })
    assert.containsSubset(fieldOf(clubs, 'max_members'), { type: 'integer', min: 2, max: 200 })
    assert.containsSubset(fieldOf(clubs, 'open_to_new'), { type: 'boolean', default: true })
    assert.containsSubset(fieldOf(clubs, 'advisor_id'), {
      type: 'reference',
      reference: { target: 'core.users', include: 'advisor', list: '/api/v1/admin/users' },
    })
    assert.containsSubset(fieldOf(clubs, 'id'), { builtin: true, read_only: true })

    const members = byKey((await resources(client, tenant, admin)).body().data)['clubs.members']
    assert.deepEqual(fieldOf(members, 'club_id').reference, {
      target: 'clubs.clubs',
      include: 'club',
      list: '/api/v1/clubs/clubs',
      search: 'search',
      label: 'name',
    })
    assert.isFalse(members.searchable)
  })

  test('a masked field says so, and whether this user sees its value', async ({
    client,
    assert,
  }) => {
    admin ??= await signIn(client, tenant, 'TenantAdmin')
    teacher ??= await signIn(client, tenant, 'Teacher')
    const asAdmin = byKey((await resources(client, tenant, admin)).body().data)
    const asTeacher = byKey((await resources(client, tenant, teacher)).body().data)
    assert.deepEqual(fieldOf(asAdmin['clubs.clubs'], 'budget').sensitive, {
      mode: 'mask',
      visible: true,
    })
    assert.isNotEmpty(fieldOf(asAdmin['clubs.clubs'], 'budget').filters)
    const hidden = fieldOf(asTeacher['clubs.clubs'], 'budget')
    assert.deepEqual(hidden.sensitive, { mode: 'mask', visible: false })
    // The list refuses filtering or sorting on it for them: the view offers neither.
    assert.deepEqual(hidden.filters, [])
    assert.isFalse(hidden.sortable)
    assert.deepEqual(fieldOf(asTeacher['clubs.members'], 'emergency_phone').sensitive, {
      mode: 'omit',
      visible: false,
    })
    assert.isNull(fieldOf(asTeacher['clubs.clubs'], 'name').sensitive)
  })

  test('the tenant’s custom fields appear; another tenant’s never do', async ({
    client,
    assert,
  }) => {
    admin ??= await signIn(client, tenant, 'TenantAdmin')
    const other = await clubsTenant()
    const otherAdmin = await signIn(client, other, 'TenantAdmin')
    const addField = (where: Tenant, who: SignedIn, body: object) =>
      client
        .post('/api/v1/admin/resources/clubs/clubs/fields')
        .header('x-tenant-id', where.slug)
        .bearerToken(who.token)
        .json(body)
    ;(
      await addField(tenant, admin, {
        name: 'motto',
        type: 'string',
        max: 60,
        description: 'The club’s motto',
      })
    ).assertStatus(201)
    ;(
      await addField(other, otherAdmin, { name: 'secret_code', type: 'enum', values: ['a', 'b'] })
    ).assertStatus(201)

    const mine = byKey((await resources(client, tenant, admin)).body().data)['clubs.clubs']
    assert.deepEqual(
      mine.custom_fields.map((field: any) => field.name),
      ['custom.motto']
    )
    assert.containsSubset(mine.custom_fields[0], {
      type: 'string',
      max_length: 60,
      description: 'The club’s motto',
      sortable: true,
    })
    const theirs = byKey((await resources(client, other, otherAdmin)).body().data)['clubs.clubs']
    assert.deepEqual(
      theirs.custom_fields.map((field: any) => [field.name, field.values]),
      [['custom.secret_code', ['a', 'b']]]
    )
  })

  test('a disabled plugin’s resources are not offered; no sign-in is refused', async ({
    client,
    assert,
  }) => {
    const bare = await activeTenant()
    const someone = await signIn(client, bare, 'TenantAdmin')
    const answer = await resources(client, bare, someone)
    answer.assertStatus(200)
    assert.notInclude(
      answer.body().data.map((view: any) => view.plugin),
      'clubs'
    )
    const anonymous = await client.get('/api/v1/app/resources').header('x-tenant-id', bare.slug)
    anonymous.assertStatus(401)
    assert.isString(anonymous.body().error.code)
  })
})
