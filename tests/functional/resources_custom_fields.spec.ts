import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { resourceOpenApi } from '#core/resources/openapi'
import type { Tenant } from '#core/tenancy/types'
import {
  api,
  BOOKS,
  libraryTenant,
  signIn,
  type SignedIn,
} from '#tests/fixtures/plugins/library-lite/testing'

const FIELDS = 'admin/resources/library-lite/books/fields'
type Detail = { field: string; rule: string }
const rules = (response: any) =>
  response.body().error.details.map((d: Detail) => `${d.field}:${d.rule}`)

test.group('Resources: tenant custom fields', (group) => {
  let tenant: Tenant
  let other: Tenant
  let admin: SignedIn
  let teacher: SignedIn
  group.setup(async () => {
    tenant = await libraryTenant()
    other = await libraryTenant()
    const { ApiClient } = await import('@japa/api-client')
    const client = new ApiClient(`http://${process.env.HOST}:${process.env.PORT}`)
    admin = await signIn(client, tenant, 'TenantAdmin')
    teacher = await signIn(client, tenant, 'Teacher')
  })

  test('a tenant admin adds fields; they are validated, filterable, sortable and returned under custom', async ({
    client,
    assert,
  }) => {
    const adminApi = api(client, tenant, admin.token)
    for (const field of [
      { name: 'shelf', type: 'string', max: 10, description: 'Where it stands' },
      { name: 'copies', type: 'integer', min: 0, required: true },
      { name: 'condition', type: 'enum', values: ['new', 'worn'] },
      { name: 'weight', type: 'decimal', min: 0 },
      { name: 'signed', type: 'boolean' },
      { name: 'checked_on', type: 'date' },
    ]) {
      const added = await adminApi.post(FIELDS, field)
      added.assertStatus(201)
      assert.equal(added.body().data.name, field.name)
    }
    const listed = await adminApi.get(FIELDS)
    assert.deepEqual(
      listed.body().data.map((f: { name: string }) => f.name),
      ['shelf', 'copies', 'condition', 'weight', 'signed', 'checked_on']
    )
    assert.deepInclude(listed.body().data[0], { type: 'string', max: 10, required: false })

    const library = api(client, tenant, teacher.token)
    const missing = await library.post(BOOKS, { title: 'No copies' })
    missing.assertStatus(400)
    assert.deepInclude(rules(missing), 'custom.copies:required')
    const wrong = await library.post(BOOKS, {
      title: 'Wrong',
      custom: { copies: 'two', shelf: 'x'.repeat(11), condition: 'torn', colour: 'red' },
    })
    wrong.assertStatus(400)
    assert.deepInclude(rules(wrong), 'custom.colour:unknown_field')
    const typed = await library.post(BOOKS, {
      title: 'Wrong',
      custom: { copies: 'two', shelf: 'x'.repeat(11), condition: 'torn' },
    })
    assert.includeMembers(rules(typed), [
      'custom.copies:number',
      'custom.shelf:maxLength',
      'custom.condition:enum',
    ])

    const books = [
      { title: 'One', custom: { copies: 1, shelf: 'A1', condition: 'new', weight: 0.5 } },
      { title: 'Two', custom: { copies: 2, shelf: 'B1', signed: true, checked_on: '2024-01-05' } },
      { title: 'Three', custom: { copies: 3, shelf: 'A2', weight: 1.25 } },
    ]
    const ids: Record<string, string> = {}
    for (const book of books) {
      const created = await library.post(BOOKS, book)
      created.assertStatus(201)
      assert.deepEqual(created.body().data.custom, book.custom)
      ids[book.title] = created.body().data.id
    }
    const titles = async (query: string) => {
      const response = await library.get(`${BOOKS}?${query}`)
      assert.equal(response.status(), 200, `${query}: ${response.text()}`)
      return response.body().data.map((b: { title: string }) => b.title)
    }
    assert.deepEqual(await titles('filter[custom.copies][gte]=2'), ['Three', 'Two'])
    assert.deepEqual(await titles('filter[custom.copies][in]=1,3'), ['One', 'Three'])
    assert.deepEqual(await titles('filter[custom.shelf][contains]=a'), ['One', 'Three'])
    assert.deepEqual(await titles('filter[custom.weight][lt]=1'), ['One'])
    assert.deepEqual(await titles('filter[custom.signed][eq]=true'), ['Two'])
    assert.deepEqual(await titles('filter[custom.checked_on][null]=false'), ['Two'])
    assert.deepEqual(await titles('filter[custom.condition][eq]=new'), ['One'])
    assert.deepEqual(await titles('sort=-custom.copies'), ['Three', 'Two', 'One'])
    const cursor = await library.get(`${BOOKS}?sort=custom.weight&per_page=1&cursor=`)
    const next = await library.get(
      `${BOOKS}?sort=custom.weight&per_page=1&cursor=${cursor.body().meta.pagination.next_cursor}`
    )
    assert.deepEqual(
      [...cursor.body().data, ...next.body().data].map((b: { title: string }) => b.title),
      ['One', 'Three']
    )
    const badValue = await library.get(`${BOOKS}?filter[custom.copies][eq]=many`)
    badValue.assertStatus(400)
    assert.deepEqual(rules(badValue), ['filter[custom.copies][eq]:value'])

    const patched = await library.patch(`${BOOKS}/${ids.One}`, {
      custom: { shelf: null, copies: 4 },
    })
    patched.assertStatus(200)
    assert.deepEqual(patched.body().data.custom, { copies: 4, condition: 'new', weight: 0.5 })
    const cleared = await library.patch(`${BOOKS}/${ids.One}`, { custom: { copies: null } })
    assert.deepInclude(rules(cleared), 'custom.copies:required')

    const openapi = resourceOpenApi((await app.container.make('oryne.plugins')).available(), {
      'library-lite.books': listed.body().data,
    })
    const schema = openapi.components.schemas.LibraryLiteBooks as any
    assert.deepEqual(Object.keys(schema.properties.custom.properties), [
      'shelf',
      'copies',
      'condition',
      'weight',
      'signed',
      'checked_on',
    ])
    assert.deepEqual(
      (openapi.components.schemas.LibraryLiteBooksCreate as any).properties.custom.required,
      ['copies']
    )
  })

  test('another tenant sees none of them; removing a field removes its values', async ({
    client,
    assert,
  }) => {
    const mine = api(client, tenant, admin.token)
    const theirs = api(client, other)
    ;(await mine.post(FIELDS, { name: 'room', type: 'text' })).assertStatus(201)
    const book = await mine.post(BOOKS, { title: 'Roomy', custom: { room: 'B12', copies: 1 } })
    book.assertStatus(201)

    assert.deepEqual((await theirs.get(FIELDS)).body().data, [])
    const documented = async (who: Tenant) => {
      const response = await client.get('/api/v1/openapi.json').header('x-tenant-id', who.slug)
      response.assertStatus(200)
      const books = response.body().components.schemas.LibraryLiteBooks
      return Object.keys(books.properties.custom.properties)
    }
    assert.include(await documented(tenant), 'room')
    assert.notInclude(await documented(other), 'room')
    const refused = await theirs.post(BOOKS, { title: 'Elsewhere', custom: { room: 'C1' } })
    refused.assertStatus(400)
    assert.deepEqual(rules(refused), ['custom.room:unknown_field'])
    assert.equal((await theirs.get(`${BOOKS}?filter[custom.room][eq]=B12`)).status(), 400)
    ;(await theirs.post(BOOKS, { title: 'Elsewhere' })).assertStatus(201)

    const removed = await mine.delete(`${FIELDS}/room`)
    removed.assertStatus(200)
    const after = await mine.get(`${BOOKS}/${book.body().data.id}`)
    assert.notProperty(after.body().data.custom, 'room')
    assert.equal((await mine.get(`${BOOKS}?filter[custom.room][eq]=B12`)).status(), 400)
    const again = await mine.delete(`${FIELDS}/room`)
    again.assertStatus(404)
    assert.equal(again.body().error.code, 'ERR_CUSTOM_FIELD_NOT_FOUND')
    ;(await mine.post(FIELDS, { name: 'room', type: 'integer' })).assertStatus(201)
    assert.deepEqual((await mine.get(`${BOOKS}?filter[custom.room][null]=false`)).body().data, [])
  })

  test('only tenant admins (or the platform) manage them, with checked definitions', async ({
    client,
    assert,
  }) => {
    const forbidden = await api(client, tenant, teacher.token).post(FIELDS, {
      name: 'sneaky',
      type: 'string',
    })
    forbidden.assertStatus(403)
    assert.equal(forbidden.body().error.code, 'ERR_FORBIDDEN')

    const platform = api(client, tenant)
    ;(await platform.post(FIELDS, { name: 'isbn10', type: 'string' })).assertStatus(201)
    const duplicate = await platform.post(FIELDS, { name: 'isbn10', type: 'string' })
    duplicate.assertStatus(409)
    assert.equal(duplicate.body().error.code, 'ERR_CONFLICT')
    for (const [body, rule] of [
      [{ name: 'Bad Name', type: 'string' }, 'name:regex'],
      [{ name: 'kind', type: 'colour' }, 'type:enum'],
      [{ name: 'kind', type: 'enum' }, 'values:required'],
      [{ name: 'kind', type: 'string', values: ['a'] }, 'values:not_allowed'],
      [{ name: 'kind', type: 'integer', min: 5, max: 1 }, 'max:min'],
    ] as const) {
      const response = await platform.post(FIELDS, body)
      response.assertStatus(400)
      assert.deepInclude(rules(response), rule, JSON.stringify(body))
    }
    const unknown = await platform.get('admin/resources/library-lite/shelves/fields')
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'ERR_RESOURCE_NOT_FOUND')
  })
})
