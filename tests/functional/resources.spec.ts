import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Tenant } from '#core/tenancy/types'
import {
  api,
  BOOKS,
  inTenant,
  libraryTenant,
  LOANS,
  STUDENTS,
} from '#tests/fixtures/plugins/library-lite/testing'
import { activeTenant } from '#tests/support/tenants'

type Detail = { field: string; rule: string; message: string }
const titles = (body: { data: Array<{ title: string }> }) => body.data.map((book) => book.title)

test.group('Resources: create, read, update, delete', (group) => {
  let tenant: Tenant
  group.setup(async () => {
    tenant = await libraryTenant()
  })

  test('a record goes through its whole life over HTTP, each change audited', async ({
    client,
    assert,
  }) => {
    const library = api(client, tenant)
    const created = await library
      .post(BOOKS, {
        title: 'Dune',
        isbn: '9780441013593',
        summary: 'Spice and sand',
        pages: 412,
        price: 12.5,
        published_on: '1965-08-01',
        acquired_at: '2024-03-01T09:30:00Z',
        format: 'hardcover',
        metadata: { tags: ['sf', 'classic'] },
        cover: 'covers/dune.jpg',
      })
      .header('x-request-id', 'req-create-dune')
    created.assertStatus(201)
    const book = created.body().data
    assert.match(book.id, /^\d+$/)
    assert.deepInclude(book, {
      title: 'Dune',
      pages: 412,
      price: '12.50',
      available: true,
      published_on: '1965-08-01',
      acquired_at: '2024-03-01T09:30:00.000Z',
      format: 'hardcover',
      metadata: { tags: ['sf', 'classic'] },
      cover: 'covers/dune.jpg',
      added_by_id: null,
      custom: {},
    })

    const read = await library.get(`${BOOKS}/${book.id}`)
    read.assertStatus(200)
    assert.deepEqual(read.body().data, book)

    const updated = await library.patch(`${BOOKS}/${book.id}`, { pages: 320, summary: null })
    updated.assertStatus(200)
    assert.equal(updated.body().data.pages, 320)
    assert.isNull(updated.body().data.summary)
    assert.equal(updated.body().data.title, 'Dune')

    const deleted = await library.delete(`${BOOKS}/${book.id}`)
    deleted.assertStatus(200)
    assert.deepEqual(deleted.body().data, { id: book.id, deleted: true })
    const gone = await library.get(`${BOOKS}/${book.id}`)
    gone.assertStatus(404)
    assert.equal(gone.body().error.code, 'ERR_RECORD_NOT_FOUND')

    const audit = await inTenant(tenant, (trx) =>
      trx.from('audit_log').where('subject', `library-lite.books:${book.id}`).orderBy('id')
    )
    assert.deepEqual(
      audit.map((entry: { action: string }) => entry.action),
      ['library-lite.books.create', 'library-lite.books.update', 'library-lite.books.delete']
    )
    assert.isTrue(audit.every((entry: { actor: string }) => entry.actor === 'platform'))
    assert.equal(audit[0].request_id, 'req-create-dune')
    assert.equal(audit[0].data.after.title, 'Dune')
    assert.deepEqual(audit[1].data, {
      before: { pages: 412, summary: 'Spice and sand' },
      after: { pages: 320, summary: null },
    })
    assert.equal(audit[2].data.before.title, 'Dune')
  })

  test('bodies are validated: unknown, read-only, required, types, limits, pattern, enum, references; nothing is written', async ({
    client,
    assert,
  }) => {
    const library = api(client, tenant)
    const count = async () => (await library.get(BOOKS)).body().meta.pagination.total
    const before = await count()
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ title: 'A', colour: 'red' }, 'colour', 'unknown_field'],
      [
        { title: 'A', added_by_id: '5f7c1c9e-3b1a-4d61-9c55-7c8d9e0f1a2b' },
        'added_by_id',
        'read_only',
      ],
      [{ title: 'A', id: '7' }, 'id', 'read_only'],
      [{ pages: 10 }, 'title', 'required'],
      [{ title: 'A', pages: 'many' }, 'pages', 'number'],
      [{ title: 'A', pages: 0 }, 'pages', 'min'],
      [{ title: 'A', pages: 2.5 }, 'pages', 'withoutDecimals'],
      [{ title: 'x'.repeat(201) }, 'title', 'maxLength'],
      [{ title: 'A', isbn: '12-34' }, 'isbn', 'regex'],
      [{ title: 'A', format: 'scroll' }, 'format', 'enum'],
      [{ title: 'A', price: 1.234 }, 'price', 'decimal'],
      [{ title: 'A', price: 1_000_000 }, 'price', 'max'],
      [{ title: 'A', price: -1 }, 'price', 'min'],
      [{ title: 'A', published_on: '2024-02-30' }, 'published_on', 'date'],
      [{ title: 'A', acquired_at: 'yesterday' }, 'acquired_at', 'datetime'],
      [{ title: 'A', available: 'yes' }, 'available', 'boolean'],
      [{ title: 'A', custom: { shelf: 'B2' } }, 'custom.shelf', 'unknown_field'],
    ]
    for (const [body, field, rule] of cases) {
      const response = await library.post(BOOKS, body)
      assert.equal(response.status(), 400, JSON.stringify(body))
      assert.equal(response.body().error.code, 'ERR_VALIDATION')
      assert.deepInclude(
        response.body().error.details.map((d: Detail) => `${d.field}:${d.rule}`),
        `${field}:${rule}`,
        JSON.stringify(response.body().error.details)
      )
    }
    const messages = async (body: Record<string, unknown>) =>
      (await library.post(BOOKS, body)).body().error.details.map((d: Detail) => d.message)
    assert.deepEqual(await messages({ title: 'A', price: 1.234 }), [
      'The price field must have at most 2 decimal places',
    ])
    assert.deepEqual(await messages({ title: 'A', price: 1_000_000 }), [
      'The price field must not be greater than 999999.99',
    ])
    const notObject = await library.post(BOOKS, [{ title: 'A' }])
    notObject.assertStatus(400)

    const book = (await library.post(BOOKS, { title: 'Unique', isbn: '9780000000017' })).body().data
    const duplicate = await library.post(BOOKS, { title: 'Copy', isbn: '9780000000017' })
    duplicate.assertStatus(409)
    assert.equal(duplicate.body().error.code, 'ERR_CONFLICT')
    assert.equal(duplicate.body().error.details[0].field, 'isbn')

    const clearTitle = await library.patch(`${BOOKS}/${book.id}`, { title: null })
    clearTitle.assertStatus(400)
    const other = (await library.post(BOOKS, { title: 'Other' })).body().data
    const takenOnUpdate = await library.patch(`${BOOKS}/${other.id}`, { isbn: '9780000000017' })
    takenOnUpdate.assertStatus(409)

    const student = (await library.post(STUDENTS, { name: 'Ada' })).body().data
    const dangling = await library.post(LOANS, {
      book_id: '999999',
      student_id: student.id,
      due_on: '2030-01-01',
    })
    dangling.assertStatus(400)
    assert.deepInclude(
      dangling.body().error.details.map((d: Detail) => `${d.field}:${d.rule}`),
      'book_id:reference'
    )
    const badUser = await library.post(STUDENTS, {
      name: 'Ghost',
      user_id: '5f7c1c9e-3b1a-4d61-9c55-7c8d9e0f1a2b',
    })
    badUser.assertStatus(400)
    assert.equal(badUser.body().error.details[0].rule, 'reference')

    assert.equal(await count(), before + 2)
    for (const id of ['abc', '0', '99999999999999999999']) {
      const missing = await library.patch(`${BOOKS}/${id}`, { pages: 3 })
      missing.assertStatus(404)
      assert.equal(missing.body().error.code, 'ERR_RECORD_NOT_FOUND')
    }
  })

  test('hooks run in the transaction of the change: a refused loan writes nothing', async ({
    client,
    assert,
  }) => {
    const library = api(client, tenant)
    const book = (await library.post(BOOKS, { title: 'Emma' })).body().data
    const student = (await library.post(STUDENTS, { name: 'Jane' })).body().data
    const loan = await library.post(LOANS, {
      book_id: book.id,
      student_id: student.id,
      due_on: '2030-05-01',
    })
    loan.assertStatus(201)
    assert.isFalse((await library.get(`${BOOKS}/${book.id}`)).body().data.available)

    const again = await library.post(LOANS, {
      book_id: Number(book.id),
      student_id: student.id,
      due_on: '2030-06-01',
    })
    again.assertStatus(400)
    assert.equal(again.body().error.details[0].rule, 'available')
    const loans = await library.get(`${LOANS}?filter[book_id][eq]=${book.id}`)
    assert.lengthOf(loans.body().data, 1)

    await library.patch(`${LOANS}/${loan.body().data.id}`, { returned: true })
    assert.isTrue((await library.get(`${BOOKS}/${book.id}`)).body().data.available)

    const inUse = await library.delete(`${BOOKS}/${book.id}`)
    inUse.assertStatus(409)
    assert.equal(inUse.body().error.code, 'ERR_RECORD_IN_USE')
    assert.deepEqual(inUse.body().error.details, [{ referenced_from: 'library-lite.loans' }])
  })

  test('a disabled plugin answers ERR_PLUGIN_DISABLED on its resources', async ({
    client,
    assert,
  }) => {
    const other = await activeTenant()
    const before = await api(client, other).get(BOOKS)
    before.assertStatus(404)
    assert.equal(before.body().error.code, 'ERR_PLUGIN_DISABLED')

    const plugins = await app.container.make('oryne.plugins')
    await plugins.enable(other, ['library-lite'], { actor: 'test' })
    ;(await api(client, other).post(BOOKS, { title: 'Kept' })).assertStatus(201)
    await plugins.disable(other, 'library-lite', { actor: 'test' })
    for (const response of [
      await api(client, other).get(BOOKS),
      await api(client, other).post(BOOKS, { title: 'No' }),
      await api(client, other).get(`${BOOKS}/1`),
      await api(client, other).get('admin/resources/library-lite/books/fields'),
    ]) {
      response.assertStatus(404)
      assert.equal(response.body().error.code, 'ERR_PLUGIN_DISABLED')
    }
    await plugins.enable(other, ['library-lite'], { actor: 'test' })
    assert.deepEqual(titles((await api(client, other).get(BOOKS)).body()), ['Kept'])
  })
})

test.group('Resources: queries', (group) => {
  let tenant: Tenant
  const ids: Record<string, string> = {}
  group.setup(async () => {
    tenant = await libraryTenant()
  })

  /** Four books, created once through the API by the first test that needs them. */
  async function seed(client: ApiClient) {
    if (Object.keys(ids).length) return
    const library = api(client, tenant)
    const books = [
      {
        title: 'Alpha 100% pure',
        pages: 100,
        price: 10,
        available: true,
        published_on: '2020-01-01',
        acquired_at: '2024-01-01T10:00:00Z',
        format: 'hardcover',
        summary: 'Dragons and knights',
      },
      {
        title: 'Beta_test',
        pages: 200,
        price: 20.5,
        available: false,
        published_on: '2021-06-15',
        acquired_at: '2024-02-01T10:00:00Z',
        format: 'paperback',
        summary: 'Travel in space',
      },
      { title: 'Gamma', pages: 300, format: 'ebook', summary: 'Dragons in space' },
      { title: 'Delta', price: 5, published_on: '2019-03-03', format: 'paperback' },
    ]
    for (const book of books) {
      const response = await library.post(BOOKS, book)
      ids[book.title] = response.body().data.id
    }
  }

  test('every filter operator, on every kind of field', async ({ client, assert }) => {
    await seed(client)
    const library = api(client, tenant)
    const cases: Array<[string, string[]]> = [
      ['filter[title][eq]=Gamma', ['Gamma']],
      ['filter[title]=Gamma', ['Gamma']],
      ['filter[title][ne]=Gamma', ['Alpha 100% pure', 'Beta_test', 'Delta']],
      ['filter[pages][lt]=200', ['Alpha 100% pure']],
      ['filter[pages][lte]=200', ['Alpha 100% pure', 'Beta_test']],
      ['filter[pages][gt]=200', ['Gamma']],
      ['filter[pages][gte]=200', ['Beta_test', 'Gamma']],
      ['filter[pages][ne]=100', ['Beta_test', 'Delta', 'Gamma']],
      ['filter[price][in]=10,5', ['Alpha 100% pure', 'Delta']],
      ['filter[price][gt]=9.99', ['Alpha 100% pure', 'Beta_test']],
      ['filter[price][null]=true', ['Gamma']],
      ['filter[price][null]=false', ['Alpha 100% pure', 'Beta_test', 'Delta']],
      ['filter[title][contains]=100%25', ['Alpha 100% pure']],
      ['filter[title][contains]=_', ['Beta_test']],
      ['filter[title][contains]=ALPHA', ['Alpha 100% pure']],
      ['filter[published_on][gte]=2020-01-01', ['Alpha 100% pure', 'Beta_test']],
      ['filter[acquired_at][lt]=2024-01-15T00:00:00Z', ['Alpha 100% pure']],
      ['filter[available][eq]=false', ['Beta_test']],
      ['filter[format][in]=hardcover,ebook', ['Alpha 100% pure', 'Gamma']],
      ['filter[format][ne]=paperback', ['Alpha 100% pure', 'Gamma']],
      [`filter[id][eq]=${ids.Gamma}`, ['Gamma']],
      ['filter[pages][gte]=100&filter[price][lte]=10', ['Alpha 100% pure']],
      ["filter[title][eq]=' OR 1=1 --", []],
      ['search=dragons', ['Alpha 100% pure', 'Gamma']],
      ['search=space', ['Beta_test', 'Gamma']],
    ]
    for (const [query, expected] of cases) {
      const response = await library.get(`${BOOKS}?${query}`)
      assert.equal(response.status(), 200, `${query}: ${response.text()}`)
      assert.deepEqual(titles(response.body()), expected, query)
    }
  })

  test('unknown fields and operators, malformed values: 400 ERR_VALIDATION naming the problem', async ({
    client,
    assert,
  }) => {
    await seed(client)
    const library = api(client, tenant)
    const cases: Array<[string, string, string]> = [
      ['filter[nope][eq]=1', 'filter[nope][eq]', 'unknown_field'],
      ['filter[title][like]=x', 'filter[title][like]', 'operator'],
      ['filter[pages][contains]=1', 'filter[pages][contains]', 'operator'],
      ['filter[metadata][eq]=1', 'filter[metadata][eq]', 'operator'],
      ['filter[pages][eq]=abc', 'filter[pages][eq]', 'value'],
      ['filter[pages][eq]=99999999999', 'filter[pages][eq]', 'value'],
      ['filter[published_on][eq]=2024-13-01', 'filter[published_on][eq]', 'value'],
      ['filter[acquired_at][gt]=soon', 'filter[acquired_at][gt]', 'value'],
      ['filter[price][in]=1,x', 'filter[price][in]', 'value'],
      ['filter[available][eq]=yes', 'filter[available][eq]', 'value'],
      ['filter[format][eq]=scroll', 'filter[format][eq]', 'value'],
      ['filter[price][null]=maybe', 'filter[price][null]', 'value'],
      ['filter[id][eq]=-1', 'filter[id][eq]', 'value'],
      ['filter[added_by_id][eq]=not-a-uuid', 'filter[added_by_id][eq]', 'value'],
      ['per_page=101', 'per_page', 'range'],
      ['page=0', 'page', 'range'],
      ['cursor=garbage', 'cursor', 'cursor'],
      ['sort=nope', 'sort', 'unknown_field'],
      ['sort=metadata', 'sort', 'sortable'],
      ['fields=title,nope', 'fields', 'unknown_field'],
      ['include=nope', 'include', 'unknown_include'],
      ['colour=red', 'colour', 'unknown_parameter'],
      ['sort=title&sort=pages', 'sort', 'repeated'],
      ['page=1&cursor=', 'cursor', 'exclusive'],
    ]
    for (const [query, field, rule] of cases) {
      const response = await library.get(`${BOOKS}?${query}`)
      assert.equal(response.status(), 400, `${query}: ${response.text()}`)
      assert.equal(response.body().error.code, 'ERR_VALIDATION')
      assert.deepInclude(
        response.body().error.details.map((d: Detail) => `${d.field}:${d.rule}`),
        `${field}:${rule}`,
        query
      )
    }
    const detail = await library.get(`${BOOKS}/${ids.Gamma}?fields=nope`)
    detail.assertStatus(400)
  })

  test('sort by several keys, and page pagination with the total', async ({ client, assert }) => {
    await seed(client)
    const library = api(client, tenant)
    assert.deepEqual(titles((await library.get(`${BOOKS}?sort=-pages`)).body()), [
      'Delta',
      'Gamma',
      'Beta_test',
      'Alpha 100% pure',
    ])
    assert.deepEqual(titles((await library.get(`${BOOKS}?sort=format,-title`)).body()), [
      'Gamma',
      'Alpha 100% pure',
      'Delta',
      'Beta_test',
    ])
    const second = await library.get(`${BOOKS}?per_page=3&page=2`)
    assert.deepEqual(titles(second.body()), ['Gamma'])
    assert.deepEqual(second.body().meta.pagination, {
      page: 2,
      per_page: 3,
      total: 4,
      last_page: 2,
    })
    const past = await library.get(`${BOOKS}?per_page=3&page=5&filter[pages][gt]=0`)
    assert.deepEqual(past.body().data, [])
    assert.equal(past.body().meta.pagination.total, 3)
  })

  test('cursor pagination walks every row once, in order, on any sort', async ({
    client,
    assert,
  }) => {
    await seed(client)
    const library = api(client, tenant)
    for (const [sort, expected] of [
      ['-price', ['Gamma', 'Beta_test', 'Alpha 100% pure', 'Delta']],
      ['published_on,title', ['Delta', 'Alpha 100% pure', 'Beta_test', 'Gamma']],
      ['-created_at', ['Delta', 'Gamma', 'Beta_test', 'Alpha 100% pure']],
    ] as const) {
      const seen: string[] = []
      let cursor = ''
      for (let page = 0; page < 10; page++) {
        const response = await library.get(
          `${BOOKS}?sort=${sort}&per_page=1&cursor=${encodeURIComponent(cursor)}`
        )
        response.assertStatus(200)
        seen.push(...titles(response.body()))
        const next = response.body().meta.pagination.next_cursor
        assert.notProperty(response.body().meta.pagination, 'total')
        if (!next) break
        cursor = next
      }
      assert.deepEqual(seen, expected, sort)
    }
    const first = await library.get(`${BOOKS}?sort=title&per_page=2&cursor=`)
    const next = first.body().meta.pagination.next_cursor
    const otherSort = await library.get(`${BOOKS}?sort=pages&per_page=2&cursor=${next}`)
    otherSort.assertStatus(400)
    assert.equal(otherSort.body().error.details[0].field, 'cursor')
  })

  test('sparse fields, and includes of references embedded with one query each', async ({
    client,
    assert,
  }) => {
    await seed(client)
    const library = api(client, tenant)
    const sparse = await library.get(`${BOOKS}?fields=title,pages&filter[title][eq]=Gamma`)
    assert.deepEqual(sparse.body().data, [{ id: ids.Gamma, title: 'Gamma', pages: 300 }])
    const one = await library.get(`${BOOKS}/${ids.Delta}?fields=price`)
    assert.deepEqual(one.body().data, { id: ids.Delta, price: '5.00' })

    const student = (await library.post(STUDENTS, { name: 'Included' })).body().data
    for (const title of ['Gamma', 'Delta']) {
      ;(
        await library.post(LOANS, {
          book_id: ids[title],
          student_id: student.id,
          due_on: '2031-01-01',
        })
      ).assertStatus(201)
    }
    const loans = await library.get(`${LOANS}?include=book,student&fields=book_id&sort=book_id`)
    loans.assertStatus(200)
    assert.deepEqual(
      loans.body().data.map((loan: any) => [loan.book_id, loan.book.title, loan.student.name]),
      [
        [ids.Gamma, 'Gamma', 'Included'],
        [ids.Delta, 'Delta', 'Included'],
      ].sort((a, b) => Number(a[0]) - Number(b[0]))
    )
    const withoutColumn = await library.get(`${LOANS}?include=book&fields=due_on`)
    assert.notProperty(withoutColumn.body().data[0], 'book_id')
    assert.includeMembers(
      withoutColumn.body().data.map((loan: any) => loan.book.title),
      ['Gamma', 'Delta']
    )
  })
})
