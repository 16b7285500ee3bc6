import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import type { Tenant } from '#core/tenancy/types'
import {
  addPerson,
  created,
  ok,
  refused,
  tenantApi,
  testTenant,
  type Person,
} from '@oryne/sdk/testing'

/*
 * Collection templates (docs/collections.md, "Templates"): a collection's
 * design — definition, views, forms, automations, no records or ids — leaves
 * one institution as a document and becomes a collection in another (or the
 * same one under a new name), all or nothing.
 */

const ADMIN = '/admin/collections'

/** Sports-club sign-ups: a self reference, a user reference, a board, a public form, two automations. */
const SIGNUPS = {
  name: 'club_signups',
  label: 'Sports club sign-ups',
  description: 'Who joins which club',
  definition: {
    fields: {
      student_name: { type: 'string', required: true, max: 120, search: true },
      sport: { type: 'enum', values: ['football', 'chess', 'swimming'], required: true },
      coach_id: { type: 'reference', target: 'core.users' },
      buddy_id: { type: 'reference', target: 'collections.club_signups', on_delete: 'set null' },
      notes: { type: 'text' },
    },
    title: 'student_name',
  },
}

async function buildSignups(http: ApiClient, tenant: Tenant, coach: Person) {
  const api = tenantApi(http, tenant)
  await created(api.post(ADMIN, SIGNUPS))
  await created(
    api.post(`${ADMIN}/club_signups/views`, {
      name: 'By sport',
      kind: 'board',
      config: { group_by: 'sport', fields: ['student_name', 'coach_id'] },
    })
  )
  await created(
    api.post(`${ADMIN}/club_signups/forms`, {
      slug: 'club-signup',
      title: 'Join a club',
      public: true,
      sections: [
        {
          title: 'You',
          fields: [{ name: 'student_name', label: 'Your name' }, { name: 'sport' }],
        },
      ],
    })
  )
  await created(
    api.post(`${ADMIN}/club_signups/automations`, {
      name: 'Tell the admins',
      trigger: { on: 'create' },
      action: {
        type: 'notify',
        to: { role: 'TenantAdmin' },
        title: 'New sign-up',
        body: '{{student_name}} joins {{sport}}',
      },
    })
  )
  await created(
    api.post(`${ADMIN}/club_signups/automations`, {
      name: 'Tell the coach',
      trigger: { on: 'create' },
      action: {
        type: 'notify',
        to: { user_id: coach.id },
        title: 'New player',
        body: '{{student_name}}',
      },
    })
  )
  await created(
    api.post('/collections/club_signups', { student_name: 'Ada Secret-Name', sport: 'chess' })
  )
  return api
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf)
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)])
  return []
}

async function tableExists(tenant: Tenant, table: string) {
  const { rows } = await db.rawQuery(`SELECT to_regclass(?) IS NOT NULL AS found`, [
    `"${tenant.schema_name}"."${table}"`,
  ])
  return rows[0].found as boolean
}

test.group('Collection templates', () => {
  test('a collection’s design is exported without records or ids and imported into another institution', async ({
    client: http,
    assert,
  }) => {
    const source = await testTenant()
    const coach = await addPerson(source, { email: 'coach@source.example', roles: 'Teacher' })
    const api = await buildSignups(http, source, coach)

    const template = await ok(api.get(`${ADMIN}/club_signups/template`))
    assert.equal(template.oryne_collection_template, 1)
    assert.include(template, {
      name: 'club_signups',
      label: 'Sports club sign-ups',
      description: 'Who joins which club',
    })
    assert.deepEqual(template.definition.fields.sport.values, ['football', 'chess', 'swimming'])
    assert.deepEqual(template.views, [
      {
        name: 'By sport',
        kind: 'board',
        config: { group_by: 'sport', fields: ['student_name', 'coach_id'] },
        position: 0,
      },
    ])
    assert.deepEqual(
      template.forms.map((f: any) => [f.slug, f.title, f.public]),
      [['club-signup', 'Join a club', true]]
    )
    assert.deepEqual(
      template.automations.map((a: any) => [a.name, a.action.to, a.needs !== undefined]),
      [
        ['Tell the admins', { role: 'TenantAdmin' }, false],
        ['Tell the coach', { user_id: null }, true],
      ]
    )
    // No ids, timestamps, records or the coach's id travel.
    const text = JSON.stringify(template)
    for (const key of ['id', 'created_at', 'updated_at', 'created_by', 'collection'])
      assert.notInclude(keysOf(template), key, `the template has a "${key}"`)
    assert.notInclude(text, coach.id)
    assert.notInclude(text, 'Ada Secret-Name')

    const target = await testTenant()
    const there = tenantApi(http, target)
    const response = await there.post(`${ADMIN}/import`, { template })
    response.assertStatus(201)
    assert.equal(response.header('location'), '/api/v1/admin/collections/club_signups')
    const imported = response.body().data
    assert.equal(imported.collection.name, 'club_signups')
    assert.equal(imported.views, 1)
    assert.deepEqual(imported.forms, [{ slug: 'club-signup', template_slug: 'club-signup' }])
    assert.equal(imported.automations, 1)
    assert.lengthOf(imported.needs_attention, 1)
    assert.include(imported.needs_attention[0], 'Tell the coach')

    // The copy serves records, starts empty, and its design is the template's (less the flagged automation).
    assert.lengthOf(await ok(there.get('/collections/club_signups')), 0)
    const first = await created(
      there.post('/collections/club_signups', { student_name: 'Grace', sport: 'swimming' })
    )
    await created(
      there.post('/collections/club_signups', {
        student_name: 'Alan',
        sport: 'football',
        buddy_id: first.id,
      })
    )
    assert.lengthOf(await ok(there.get('/collections/club_signups')), 2)
    const again = await ok(there.get(`${ADMIN}/club_signups/template`))
    assert.deepEqual(again, {
      ...template,
      automations: template.automations.filter((a: any) => !a.needs),
    })
    // The source is untouched by the copy.
    assert.lengthOf(await ok(api.get('/collections/club_signups')), 1)
  })

  test('importing under a new name renames the self reference; a taken form slug gets a suffix', async ({
    client: http,
    assert,
  }) => {
    const tenant = await testTenant()
    const coach = await addPerson(tenant, { email: 'coach@rename.example', roles: 'Teacher' })
    const api = await buildSignups(http, tenant, coach)
    const template = await ok(api.get(`${ADMIN}/club_signups/template`))

    const imported = await created(
      api.post(`${ADMIN}/import`, { template, name: 'club_signups_2027' })
    )
    assert.equal(imported.collection.name, 'club_signups_2027')
    assert.equal(
      imported.collection.definition.fields.buddy_id.target,
      'collections.club_signups_2027'
    )
    assert.deepEqual(imported.forms, [{ slug: 'club-signup-2', template_slug: 'club-signup' }])
    const record = await created(
      api.post('/collections/club_signups_2027', { student_name: 'Linus', sport: 'chess' })
    )
    await created(
      api.post('/collections/club_signups_2027', {
        student_name: 'Ken',
        sport: 'chess',
        buddy_id: record.id,
      })
    )
    // The buddy column's foreign key points at the new collection's table, not the old one's.
    const { rows } = await db.rawQuery(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
        WHERE conrelid = ?::regclass AND contype = 'f'`,
      [`"${tenant.schema_name}"."col_club_signups_2027"`]
    )
    assert.isTrue(
      rows.some((row: any) => /REFERENCES .*col_club_signups_2027\b/.test(row.definition)),
      JSON.stringify(rows)
    )
  })

  test('what cannot be imported is refused with a code, and leaves nothing behind', async ({
    client: http,
    assert,
  }) => {
    const source = await testTenant({ plugins: ['library-lite'] })
    const api = tenantApi(http, source)
    await created(
      api.post(ADMIN, {
        name: 'reading_log',
        label: 'Reading log',
        definition: {
          fields: {
            book_id: { type: 'reference', target: 'library-lite.books' },
            minutes: { type: 'integer', min: 0 },
            genre: { type: 'enum', values: ['fiction', 'science'] },
          },
        },
      })
    )
    const template = await ok(api.get(`${ADMIN}/reading_log/template`))
    const target = await testTenant()
    const there = tenantApi(http, target)

    // A resource of a module the target has not enabled, and a collection it lacks.
    const withShelf = {
      ...template,
      definition: {
        fields: {
          ...template.definition.fields,
          shelf: { type: 'reference', target: 'collections.shelves' },
        },
      },
    }
    const error = await refused(
      there.post(`${ADMIN}/import`, { template: withShelf }),
      422,
      'ERR_COLLECTION_TEMPLATE_TARGETS'
    )
    assert.sameMembers(
      error.details.map((d: any) => d.target),
      ['library-lite.books', 'collections.shelves']
    )
    assert.include(error.message, 'library-lite.books')
    await refused(there.get(`${ADMIN}/reading_log`), 404, 'ERR_COLLECTION_NOT_FOUND')

    // A view the target's copy cannot hold (a board grouped by a number): no collection, no table.
    const badView = {
      ...template,
      definition: {
        fields: { minutes: { type: 'integer' }, genre: template.definition.fields.genre },
      },
      views: [{ name: 'Board', kind: 'board', config: { group_by: 'minutes' }, position: 0 }],
    }
    const refusedView = await there.post(`${ADMIN}/import`, { template: badView })
    assert.equal(refusedView.status(), 422, JSON.stringify(refusedView.body()))
    await refused(there.get(`${ADMIN}/reading_log`), 404, 'ERR_COLLECTION_NOT_FOUND')
    assert.isFalse(await tableExists(target, 'col_reading_log'))

    // Not a template of this version; not a template at all; a definition the API refuses.
    await refused(
      there.post(`${ADMIN}/import`, { template: { ...template, oryne_collection_template: 2 } }),
      422,
      'ERR_COLLECTION_TEMPLATE_FORMAT'
    )
    await refused(
      there.post(`${ADMIN}/import`, { template: { name: 'x' } }),
      422,
      'ERR_COLLECTION_TEMPLATE_FORMAT'
    )
    await refused(
      there.post(`${ADMIN}/import`, {
        template: { ...badView, views: [], definition: { fields: { minutes: { type: 'money' } } } },
      }),
      400,
      'ERR_VALIDATION'
    )
    await refused(
      there.post(`${ADMIN}/import`, { template: badView, name: 'Bad Name!' }),
      400,
      'ERR_VALIDATION'
    )

    // The name is taken: 409, the existing collection unchanged.
    await created(there.post(`${ADMIN}/import`, { template: { ...badView, views: [] } }))
    await refused(
      there.post(`${ADMIN}/import`, { template: { ...badView, views: [] } }),
      409,
      'ERR_COLLECTION_EXISTS'
    )
    await refused(api.get(`${ADMIN}/nothing_here/template`), 404, 'ERR_COLLECTION_NOT_FOUND')
  })

  test('only a tenant admin exports and imports templates, each of their own institution', async ({
    client: http,
  }) => {
    const tenant = await testTenant()
    const api = tenantApi(http, tenant)
    await created(
      api.post(ADMIN, { name: 'lab_kit', definition: { fields: { item: { type: 'string' } } } })
    )
    const template = await ok(api.get(`${ADMIN}/lab_kit/template`))
    const student = await addPerson(tenant, { email: 'pupil@perm.example', roles: 'Student' })
    const asStudent = tenantApi(http, tenant, student.token)
    await refused(asStudent.get(`${ADMIN}/lab_kit/template`), 403, 'ERR_FORBIDDEN')
    await refused(
      asStudent.post(`${ADMIN}/import`, { template, name: 'lab_kit_2' }),
      403,
      'ERR_FORBIDDEN'
    )
    // Another institution does not see this one's collection.
    const elsewhere = tenantApi(http, await testTenant())
    await refused(elsewhere.get(`${ADMIN}/lab_kit/template`), 404, 'ERR_COLLECTION_NOT_FOUND')
    const admin = await addPerson(tenant, { email: 'head@perm.example', roles: 'TenantAdmin' })
    await created(
      tenantApi(http, tenant, admin.token).post(`${ADMIN}/import`, { template, name: 'lab_kit_2' })
    )
  })
})
