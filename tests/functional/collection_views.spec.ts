import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import type { ApiClient } from '@japa/api-client'
import tenancy from '#core/services/tenancy'
import type { Tenant } from '#core/tenancy/types'
import { api, signIn, type SignedIn } from '#tests/fixtures/plugins/library-lite/testing'
import { uniqueSlug } from '#tests/support/tenants'

/*
 * Saved views of a tenant collection (docs/collections.md, "Views"): the
 * admin saves list, board, calendar and gallery views checked against the
 * collection's fields; readers get a view's records through the collection's
 * list, with their own permissions and row rules.
 */

type Detail = { field: string; rule: string }
const rules = (response: any): string[] =>
  (response.body().error?.details ?? []).map((d: Detail) => `${d.field}:${d.rule}`)

const VIEWS = 'admin/collections/signups/views'
const RECORDS = 'collections/signups'

const SIGNUPS = {
  name: 'signups',
  label: 'Sports club sign-ups',
  definition: {
    fields: {
      student_name: { type: 'string', required: true, label: 'Student name' },
      year_group: { type: 'integer', min: 7, max: 13 },
      club: { type: 'enum', values: ['football', 'netball', 'chess'] },
      starts_on: { type: 'date' },
      trial_at: { type: 'datetime' },
      photo: { type: 'file' },
      notes: { type: 'text' },
      owner_id: { type: 'reference', target: 'core.users' },
    },
    title: 'student_name',
    owner: { field: 'owner_id', roles: ['Student'] },
  },
}

/** A tenant whose days are Tokyo's (UTC+9, no daylight saving): calendars count in that zone. */
async function tokyoTenant(): Promise<Tenant> {
  const slug = uniqueSlug('views')
  const created = await tenancy.create(
    {
      slug,
      name: `School ${slug}`,
      adminEmail: `admin@${slug}.example`,
      settings: { time_zone: 'Asia/Tokyo' },
    },
    'test'
  )
  return (await tenancy.provisionNow(created.id, 'test')).tenant
}

test.group('Collections: saved views', (group) => {
  let tenant: Tenant
  let other: Tenant
  let admin: SignedIn
  let teacher: SignedIn
  let student: SignedIn
  let otherAdmin: SignedIn
  const as = (client: ApiClient, who: SignedIn, on = tenant) => api(client, on, who.token)

  group.setup(async () => {
    tenant = await tokyoTenant()
    other = await tokyoTenant()
    const { ApiClient } = await import('@japa/api-client')
    const client = new ApiClient(`http://${process.env.HOST}:${process.env.PORT}`)
    admin = await signIn(client, tenant, 'TenantAdmin')
    teacher = await signIn(client, tenant, 'Teacher')
    student = await signIn(client, tenant, 'Student')
    otherAdmin = await signIn(client, other, 'TenantAdmin')
    const adminApi = api(client, tenant, admin.token)
    const created = await adminApi.post('admin/collections', SIGNUPS)
    if (created.status() !== 201) throw new Error(`collection: ${created.text()}`)
  })

  test('a tenant admin saves views of every kind; their settings are checked against the fields', async ({
    client,
    assert,
  }) => {
    const adminApi = as(client, admin)
    const saved: Record<string, any> = {}
    for (const [name, kind, config] of [
      ['All', 'list', { fields: ['student_name', 'club'], sort: '-year_group', filters: {} }],
      ['By club', 'board', { group_by: 'club', fields: ['student_name'] }],
      ['Starts', 'calendar', { date_field: 'starts_on' }],
      ['Faces', 'gallery', {}],
    ] as const) {
      const response = await adminApi.post(VIEWS, { name, kind, config })
      response.assertStatus(201)
      assert.deepInclude(response.body().data, { name, kind, collection: 'signups', config })
      saved[kind] = response.body().data
    }

    const refused = async (body: object, expected: string[]) => {
      const response = await adminApi.post(VIEWS, body)
      response.assertStatus(422)
      assert.equal(response.body().error.code, 'ERR_VIEW_INVALID')
      assert.sameMembers(rules(response), expected)
    }
    await refused({ name: 'x', kind: 'board', config: { group_by: 'notes' } }, [
      'config.group_by:enum_field',
    ])
    await refused({ name: 'x', kind: 'board', config: {} }, ['config.group_by:required'])
    await refused({ name: 'x', kind: 'list', config: { fields: ['club', 'colour'] } }, [
      'config.fields.1:unknown_field',
    ])
    await refused({ name: 'x', kind: 'calendar', config: { date_field: 'student_name' } }, [
      'config.date_field:date_field',
    ])
    await refused({ name: 'x', kind: 'gallery', config: { image_field: 'notes' } }, [
      'config.image_field:file_field',
    ])
    await refused({ name: 'x', kind: 'list', config: { group_by: 'club', sort: 'colour' } }, [
      'config.group_by:not_for_kind',
      'config.sort:unknown_field',
    ])
    await refused(
      { name: 'x', kind: 'list', config: { filters: { club: 'rugby', notes: { gte: 'a' } } } },
      ['config.filters:value', 'config.filters:operator']
    )

    const taken = await adminApi.post(VIEWS, { name: 'All', kind: 'list' })
    taken.assertStatus(409)
    assert.equal(taken.body().error.code, 'ERR_VIEW_EXISTS')
    const shape = await adminApi.post(VIEWS, { name: 'x', kind: 'table' })
    shape.assertStatus(400)
    assert.equal(shape.body().error.code, 'ERR_VALIDATION')
    const unknown = await adminApi.post('admin/collections/nothing/views', {
      name: 'x',
      kind: 'list',
    })
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_COLLECTION_NOT_FOUND')
    const teacherTries = await as(client, teacher).post(VIEWS, { name: 'Mine', kind: 'list' })
    teacherTries.assertStatus(403)
    assert.equal(teacherTries.body().error.code, 'ERR_FORBIDDEN')

    // A change is checked as a new view is: a list turned board needs its enum field.
    const renamed = await adminApi.patch(`${VIEWS}/${saved.list.id}`, {
      name: 'Everyone',
      position: 1,
    })
    renamed.assertStatus(200)
    assert.deepInclude(renamed.body().data, { name: 'Everyone', position: 1, kind: 'list' })
    const badKind = await adminApi.patch(`${VIEWS}/${saved.list.id}`, { kind: 'board' })
    badKind.assertStatus(422)
    assert.deepEqual(rules(badKind), ['config.group_by:required'])
    const board = await adminApi.patch(`${VIEWS}/${saved.list.id}`, {
      kind: 'board',
      config: { group_by: 'club' },
    })
    board.assertStatus(200)
    assert.deepInclude(board.body().data, { kind: 'board', config: { group_by: 'club' } })

    const listed = await adminApi.get(VIEWS)
    assert.deepEqual(
      listed.body().data.map((view: any) => view.name),
      ['By club', 'Starts', 'Faces', 'Everyone']
    )
    const deleted = await adminApi.delete(`${VIEWS}/${saved.list.id}`)
    deleted.assertStatus(200)
    const gone = await adminApi.patch(`${VIEWS}/${saved.list.id}`, { name: 'Back' })
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_VIEW_NOT_FOUND')
    for (const view of Object.values(saved))
      if (view.kind !== 'list') await adminApi.delete(`${VIEWS}/${view.id}`)
  })

  test('a board has a column per enum value in order, with counts and a no-value column; moving a card is a PATCH of the record', async ({
    client,
    assert,
  }) => {
    const adminApi = as(client, admin)
    const ids: Record<string, string> = {}
    for (const [name, club] of [
      ['Ada', 'football'],
      ['Ben', 'football'],
      ['Cy', 'chess'],
      ['Dee', null],
    ] as const) {
      const made = await adminApi.post(RECORDS, { student_name: name, club, notes: 'kept out' })
      made.assertStatus(201)
      ids[name] = made.body().data.id
    }
    const view = (
      await adminApi.post(VIEWS, {
        name: 'Clubs',
        kind: 'board',
        config: { group_by: 'club', fields: ['student_name'], sort: 'student_name' },
      })
    ).body().data

    const read = async () => {
      const response = await adminApi.get(`${RECORDS}/views/${view.id}/records`)
      response.assertStatus(200)
      return response.body().data
    }
    const board = await read()
    assert.equal(board.group_by, 'club')
    assert.deepEqual(
      board.columns.map((c: any) => [c.value, c.count, c.records.map((r: any) => r.student_name)]),
      [
        ['football', 2, ['Ada', 'Ben']],
        ['netball', 0, []],
        ['chess', 1, ['Cy']],
        [null, 1, ['Dee']],
      ]
    )
    // A card shows the view's fields and the field it is grouped by, nothing else.
    assert.sameMembers(Object.keys(board.columns[0].records[0]), ['id', 'student_name', 'club'])

    const moved = await adminApi.patch(`${RECORDS}/${ids.Ben}`, { club: 'chess' })
    moved.assertStatus(200)
    const after = await read()
    assert.deepEqual(
      after.columns.map((c: any) => c.count),
      [1, 0, 2, 1]
    )
    assert.deepEqual(
      after.columns[2].records.map((r: any) => r.student_name),
      ['Ben', 'Cy']
    )

    const small = await adminApi.get(`${RECORDS}/views/${view.id}/records?per_page=1`)
    assert.deepEqual(
      small.body().data.columns.map((c: any) => [c.count, c.records.length]),
      [
        [1, 1],
        [0, 0],
        [2, 1],
        [1, 1],
      ]
    )
    const searched = await adminApi.get(
      `${RECORDS}/views/${view.id}/records?filter[student_name][eq]=Cy`
    )
    assert.deepEqual(
      searched.body().data.columns.map((c: any) => c.count),
      [0, 0, 1, 0]
    )
    const paged = await adminApi.get(`${RECORDS}/views/${view.id}/records?page=2`)
    paged.assertStatus(400)
    assert.deepEqual(rules(paged), ['page:unknown_parameter'])
  })

  test('a calendar places records on days of the tenant time zone between from and to', async ({
    client,
    assert,
  }) => {
    const adminApi = as(client, admin)
    /** [day, names] of a calendar answer: its days, each with the names of its records. */
    const byDay = (data: any) =>
      data.days.map((d: any) => [
        d.day,
        d.ids.map((id: string) => data.records.find((r: any) => r.id === id).student_name),
      ])
    for (const [name, starts, trial] of [
      ['Early', '2026-02-28', '2026-03-01T10:00:00Z'],
      ['March 1', '2026-03-01', '2026-03-31T14:00:00Z'],
      ['Mid', '2026-03-15', '2026-03-31T15:30:00Z'],
      ['Mid too', '2026-03-15', null],
      ['April', '2026-04-02', null],
    ] as const)
      (
        await adminApi.post(RECORDS, { student_name: name, starts_on: starts, trial_at: trial })
      ).assertStatus(201)
    const starts = (
      await adminApi.post(VIEWS, {
        name: 'Starts on',
        kind: 'calendar',
        config: { date_field: 'starts_on' },
      })
    ).body().data
    const trials = (
      await adminApi.post(VIEWS, {
        name: 'Trials',
        kind: 'calendar',
        config: { date_field: 'trial_at' },
      })
    ).body().data

    const march = await adminApi.get(
      `${RECORDS}/views/${starts.id}/records?from=2026-03-01&to=2026-03-31`
    )
    march.assertStatus(200)
    assert.deepInclude(march.body().data, {
      from: '2026-03-01',
      to: '2026-03-31',
      time_zone: 'Asia/Tokyo',
      truncated: false,
    })
    assert.deepEqual(byDay(march.body().data), [
      ['2026-03-01', ['March 1']],
      ['2026-03-15', ['Mid', 'Mid too']],
    ])
    assert.equal(march.body().data.view.config.title_field, 'student_name')

    // 15:30 UTC on March 31 is already April 1 in Tokyo: outside March, on April 1.
    const marchTrials = await adminApi.get(
      `${RECORDS}/views/${trials.id}/records?from=2026-03-01&to=2026-03-31`
    )
    assert.deepEqual(byDay(marchTrials.body().data), [
      ['2026-03-01', ['Early']],
      ['2026-03-31', ['March 1']],
    ])
    const aprilFirst = await adminApi.get(
      `${RECORDS}/views/${trials.id}/records?from=2026-04-01&to=2026-04-01`
    )
    assert.deepEqual(byDay(aprilFirst.body().data), [['2026-04-01', ['Mid']]])

    // The built-in created_at places a record on the day it was made, in Tokyo.
    const made = (
      await adminApi.post(VIEWS, {
        name: 'Made',
        kind: 'calendar',
        config: { date_field: 'created_at' },
      })
    ).body().data
    // From yesterday: a run at Tokyo's midnight still finds them.
    const today = DateTime.now().setZone('Asia/Tokyo')
    const [from, to] = [today.minus({ days: 1 }).toISODate()!, today.toISODate()!]
    const madeToday = await adminApi.get(
      `${RECORDS}/views/${made.id}/records?from=${from}&to=${to}`
    )
    madeToday.assertStatus(200)
    assert.includeMembers(
      [from, to],
      madeToday.body().data.days.map((d: any) => d.day)
    )
    assert.includeMembers(
      madeToday.body().data.records.map((r: any) => r.student_name),
      ['Early', 'March 1', 'Mid', 'Mid too', 'April']
    )

    for (const [query, expected] of [
      ['from=2026-03-01', ['to:date']],
      ['from=2026-03-10&to=2026-03-01', ['to:after']],
      ['from=2026-01-01&to=2026-06-01', ['to:range']],
      ['from=2026-02-30&to=2026-03-01', ['from:date']],
      ['from=2026-03-01&to=2026-03-02&page=1', ['page:unknown_parameter']],
    ] as const) {
      const response = await adminApi.get(`${RECORDS}/views/${starts.id}/records?${query}`)
      response.assertStatus(400)
      assert.deepEqual(rules(response), expected, query)
    }
  })

  test('list and gallery views answer a page of records with their filters, sort and defaults', async ({
    client,
    assert,
  }) => {
    const adminApi = as(client, admin)
    for (const [name, year] of [
      ['Gal', 7],
      ['Hal', 9],
      ['Ivy', 11],
    ] as const)
      await adminApi.post(RECORDS, { student_name: name, year_group: year, club: 'netball' })
    const list = (
      await adminApi.post(VIEWS, {
        name: 'Netball seniors',
        kind: 'list',
        config: {
          fields: ['student_name', 'year_group'],
          sort: '-year_group',
          filters: { club: 'netball', year_group: { gte: 9 } },
        },
      })
    ).body().data
    const page = await adminApi.get(`${RECORDS}/views/${list.id}/records?per_page=1`)
    page.assertStatus(200)
    assert.deepEqual(page.body().data.records, [
      { id: page.body().data.records[0].id, student_name: 'Ivy', year_group: 11 },
    ])
    assert.deepInclude(page.body().meta.pagination, { page: 1, per_page: 1, total: 2 })

    const gallery = (
      await adminApi.post(VIEWS, {
        name: 'Netball faces',
        kind: 'gallery',
        config: { fields: ['club'] },
      })
    ).body().data
    const cards = await adminApi.get(`${RECORDS}/views/${gallery.id}/records?search=x`)
    // The collection has no searchable field: the engine's own answer.
    cards.assertStatus(400)
    const shown = await adminApi.get(`${RECORDS}/views/${gallery.id}/records?per_page=100`)
    shown.assertStatus(200)
    assert.deepInclude(shown.body().data.view.config, {
      title_field: 'student_name',
      image_field: 'photo',
    })
    assert.sameMembers(Object.keys(shown.body().data.records[0]), [
      'id',
      'club',
      'student_name',
      'photo',
    ])
  })

  test('readers see views of collections they can read, and only the records their row rules allow', async ({
    client,
    assert,
  }) => {
    const adminApi = as(client, admin)
    // Students may read and add sign-ups; the owner rule shows them only their own.
    const role = (await adminApi.get('admin/roles/Student')).body().data
    const granted = await adminApi.patch('admin/roles/Student', {
      permissions: [...role.permissions, 'collections.signups.read', 'collections.signups.create'],
    })
    granted.assertStatus(200)
    const view = (
      await adminApi.post(VIEWS, { name: 'Own board', kind: 'board', config: { group_by: 'club' } })
    ).body().data
    const mine = await as(client, student).post(RECORDS, { student_name: 'Me', club: 'chess' })
    mine.assertStatus(201)
    assert.equal(mine.body().data.owner_id, student.id)

    const studentApi = as(client, student)
    const views = await studentApi.get(`${RECORDS}/views`)
    views.assertStatus(200)
    assert.include(
      views.body().data.map((v: any) => v.name),
      'Own board'
    )
    const board = await studentApi.get(`${RECORDS}/views/${view.id}/records`)
    board.assertStatus(200)
    assert.deepEqual(
      board.body().data.columns.map((c: any) => [c.value, c.count]),
      [
        ['football', 0],
        ['netball', 0],
        ['chess', 1],
        [null, 0],
      ]
    )
    assert.equal(board.body().data.columns[2].records[0].student_name, 'Me')
    const adminBoard = await adminApi.get(`${RECORDS}/views/${view.id}/records`)
    assert.isAbove(adminBoard.body().data.columns[2].count, 1)

    const teacherApi = as(client, teacher)
    for (const path of [`${RECORDS}/views`, `${RECORDS}/views/${view.id}/records`]) {
      const response = await teacherApi.get(path)
      response.assertStatus(403)
      assert.include(response.body().error.message, 'collections.signups.read')
    }
    const anonymous = await client
      .get(`/api/v1/${RECORDS}/views`)
      .header('x-tenant-id', tenant.slug)
    anonymous.assertStatus(401)
    const missing = await adminApi.get(`${RECORDS}/views/99999999/records`)
    missing.assertStatus(404)
    assert.equal(missing.body().error.code, 'ERR_VIEW_NOT_FOUND')

    // Another tenant has no such collection, whatever its admin may do.
    const elsewhere = as(client, otherAdmin, other)
    for (const path of [`${RECORDS}/views/${view.id}/records`, VIEWS]) {
      const response = await elsewhere.get(path)
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'ERR_COLLECTION_NOT_FOUND')
    }
  })

  test('a view naming a field the collection has since lost answers 422 ERR_VIEW_INVALID, not a 500', async ({
    client,
    assert,
  }) => {
    const adminApi = as(client, admin)
    const view = (
      await adminApi.post(VIEWS, { name: 'Notes', kind: 'list', config: { fields: ['notes'] } })
    ).body().data
    ;(await adminApi.get(`${RECORDS}/views/${view.id}/records`)).assertStatus(200)
    const removed = await adminApi.post('admin/collections/signups/changes', {
      changes: [{ op: 'remove_field', name: 'notes' }],
      confirm: true,
    })
    assert.equal(removed.status(), 200, removed.text())
    const stale = await adminApi.get(`${RECORDS}/views/${view.id}/records`)
    stale.assertStatus(422)
    assert.equal(stale.body().error.code, 'ERR_VIEW_INVALID')
    assert.deepEqual(rules(stale), ['config.fields.0:unknown_field'])
  })
})
