import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import { searchDriver, TypesenseSearchDriver } from '#core/search/index'
import { searchableResource } from '#core/search/search_service'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { tenantApi } from '#tests/support/access'
import { createUser, PASSWORD } from '#tests/support/auth'
import { activeTenant, PLATFORM_TOKEN } from '#tests/support/tenants'

/*
 * One contract, two drivers: GET /api/v1/search ranks matches, applies the
 * list endpoint's row rules and stays inside the tenant. The PostgreSQL driver
 * always runs; the Typesense driver only when TYPESENSE_URL points at a
 * Typesense server (otherwise its tests are reported as skipped, not passed).
 */

async function school(client: ApiClient, family = 'Marlowe') {
  const tenant = await activeTenant()
  ;(
    await client
      .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/erp/enable`)
      .bearerToken(PLATFORM_TOKEN())
      .json({})
  ).assertStatus(200)
  const admin = tenantApi(client, tenant, PLATFORM_TOKEN())
  const email = `kid@${tenant.slug}.example`
  const { user } = await createUser(tenant, { email, role: 'Student' })
  const login = await client
    .post('/api/v1/auth/login')
    .header('x-tenant-id', tenant.slug)
    .json({ email, password: PASSWORD })
  const students: Record<string, string> = {}
  for (const [no, first, last, userId] of [
    ['S-1', 'Kit', family, user.id],
    ['S-2', 'Christopher', family, null],
    ['S-3', 'Ada', 'Lovelace', null],
  ] as const) {
    const created = await admin.post('/erp/students', {
      enrollment_no: no,
      first_name: first,
      last_name: last,
      ...(userId ? { user_id: userId } : {}),
    })
    created.assertStatus(201)
    students[first] = String(created.body().data.id)
  }
  return {
    tenant,
    admin,
    student: tenantApi(client, tenant, login.body().data.access_token),
    students,
  }
}

async function reindex(tenant: Tenant) {
  await tenantContext.run(tenant, async () =>
    (await searchDriver()).reindex(await searchableResource('erp.students'))
  )
}

function contract(driver: 'postgres' | 'typesense') {
  const skip = driver === 'typesense' && !process.env.TYPESENSE_URL
  const reason = 'TYPESENSE_URL is not set: the Typesense driver was not tested'

  test.group(`Search contract (${driver})`, (group) => {
    group.each.timeout(60_000)
    group.setup(async () => {
      const standard = await searchDriver()
      if (driver === 'typesense' && !skip)
        app.container.bindValue(
          'oryne.search',
          new TypesenseSearchDriver(process.env.TYPESENSE_URL!, process.env.TYPESENSE_API_KEY ?? '')
        )
      return () => app.container.bindValue('oryne.search', standard)
    })

    test('matches are ranked, carry the record as the list shows it, and page', async ({
      client,
      assert,
    }) => {
      const s = await school(client)
      await reindex(s.tenant)
      const found = await s.admin.get('/search?q=Marlowe&types=erp.students')
      found.assertStatus(200)
      assert.sameMembers(
        found.body().data.map((hit: any) => hit.id),
        [s.students.Kit, s.students.Christopher]
      )
      assert.equal(found.body().meta.pagination.total, 2)
      const hit = found.body().data[0]
      assert.equal(hit.type, 'erp.students')
      assert.equal(hit.record.last_name, 'Marlowe')
      assert.isAbove(hit.score, 0)
      const paged = await s.admin.get('/search?q=Marlowe&per_page=1&page=2')
      assert.lengthOf(paged.body().data, 1)
      assert.equal(paged.body().meta.pagination.total, 2)
      assert.lengthOf((await s.admin.get('/search?q=Lovelace')).body().data, 1)
    }).skip(skip, reason)

    test('row rules apply: a student finds only their own record', async ({ client, assert }) => {
      const s = await school(client)
      await reindex(s.tenant)
      const mine = await s.student.get('/search?q=Marlowe')
      mine.assertStatus(200)
      assert.deepEqual(
        mine.body().data.map((hit: any) => hit.id),
        [s.students.Kit]
      )
      assert.equal(mine.body().meta.pagination.total, 1)
    }).skip(skip, reason)

    test('words match as prefixes, misspelt words still match, hits highlight the matched prefixes', async ({
      client,
      assert,
    }) => {
      const s = await school(client)
      ;(
        await s.admin.post('/erp/students', {
          enrollment_no: 'S-4',
          first_name: 'Tag',
          last_name: '<b>Marlowe</b>',
        })
      ).assertStatus(201)
      await reindex(s.tenant)
      const ids = async (query: string) => {
        const response = await s.admin.get(
          `/search?types=erp.students&q=${encodeURIComponent(query)}`
        )
        response.assertStatus(200)
        return response.body().data.map((hit: any) => hit.id)
      }
      assert.includeMembers(await ids('Marl'), [s.students.Kit, s.students.Christopher])
      assert.deepEqual(await ids('chris marl'), [s.students.Christopher])
      assert.deepEqual(await ids('Lovelaxe'), [s.students.Ada])
      assert.deepEqual(await ids('Christofer'), [s.students.Christopher])
      assert.deepEqual(await ids('Zebedee'), [])
      // Operators and quotes are separators, never syntax: no error, no injection.
      assert.deepEqual(await ids(`'); DROP TABLE erp_students; --`), [])
      assert.deepEqual(await ids('&|!:*()'), [])

      const found = await s.admin.get('/search?types=erp.students&q=chris')
      assert.equal(found.body().data[0].highlights.first_name, '<mark>Chris</mark>topher')
      const tagged = await s.admin.get('/search?types=erp.students&q=tag%20marlowe')
      assert.equal(
        tagged.body().data[0].highlights.last_name,
        '&lt;b&gt;<mark>Marlowe</mark>&lt;/b&gt;'
      )
    }).skip(skip, reason)

    test('facets count the matches per keyword value; filters narrow them; row rules apply to both', async ({
      client,
      assert,
    }) => {
      const s = await school(client)
      ;(
        await s.admin.post('/erp/students', {
          enrollment_no: 'S-5',
          first_name: 'Nell',
          last_name: 'Marlowe',
          gender: 'female',
          status: 'inactive',
        })
      ).assertStatus(201)
      await reindex(s.tenant)
      const faceted = await s.admin.get('/search?q=marlowe&types=erp.students&facets=status,gender')
      faceted.assertStatus(200)
      assert.equal(faceted.body().meta.pagination.total, 3)
      assert.deepEqual(faceted.body().meta.facets.status, [
        { value: 'active', count: 2 },
        { value: 'inactive', count: 1 },
      ])
      assert.deepEqual(faceted.body().meta.facets.gender, [
        { value: null, count: 2 },
        { value: 'female', count: 1 },
      ])
      const narrowed = await s.admin.get(
        '/search?q=marlowe&types=erp.students&facets=gender&filter[status]=inactive'
      )
      narrowed.assertStatus(200)
      assert.deepEqual(
        narrowed.body().data.map((hit: any) => hit.record.first_name),
        ['Nell']
      )
      assert.deepEqual(narrowed.body().meta.facets.gender, [{ value: 'female', count: 1 }])
      const own = await s.student.get('/search?q=marlowe&types=erp.students&facets=status')
      assert.deepEqual(own.body().meta.facets.status, [{ value: 'active', count: 1 }])
    }).skip(skip, reason)

    test('another tenant finds nothing of this one', async ({ client, assert }) => {
      const s = await school(client)
      await reindex(s.tenant)
      const other = await school(client, 'Byron')
      await reindex(other.tenant)
      // Same ids in both schemas, different people: only the tenant's own match.
      assert.lengthOf((await other.admin.get('/search?q=Marlowe')).body().data, 0)
      assert.lengthOf((await other.admin.get('/search?q=Byron')).body().data, 2)
      assert.lengthOf((await s.admin.get('/search?q=Byron')).body().data, 0)
    }).skip(skip, reason)
  })
}

contract('postgres')
contract('typesense')

test.group('Search requests', () => {
  test('bad input is a 4xx with details', async ({ client, assert }) => {
    const s = await school(client)
    const missing = await s.admin.get('/search')
    missing.assertStatus(400)
    assert.equal(missing.body().error.code, 'ERR_VALIDATION')
    ;(await s.admin.get('/search?q=x&types=erp.ghosts')).assertStatus(404)
    const unsearchable = await s.admin.get('/search?q=x&types=erp.guardians')
    unsearchable.assertStatus(400)
    assert.equal(unsearchable.body().error.details[0].rule, 'searchable')
    const several = await s.admin.get('/search?q=x&types=erp.students,erp.teachers&facets=status')
    several.assertStatus(400)
    assert.equal(several.body().error.details[0].rule, 'single_type')
    const filtered = await s.admin.get('/search?q=x&filter[status]=active')
    filtered.assertStatus(400)
    assert.equal(filtered.body().error.details[0].rule, 'single_type')
    const notFacet = await s.admin.get('/search?q=x&types=erp.students&facets=first_name')
    notFacet.assertStatus(400)
    assert.equal(notFacet.body().error.details[0].rule, 'facetable')
    const badFilter = await s.admin.get('/search?q=x&types=erp.students&filter[status]=flying')
    badFilter.assertStatus(400)
    assert.equal(badFilter.body().error.code, 'ERR_VALIDATION')
    ;(await s.admin.get('/search?q=x&types=erp.students').header('authorization', '')).assertStatus(
      401
    )
  })
})

test.group('Search across resources (postgres)', () => {
  test('one search over every searchable resource gives each record as its detail endpoint does, and falls back to misspellings only when no word matched', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const teacher = await s.admin.post('/erp/teachers', {
      employee_no: 'T-1',
      name: 'Rowan Marlowe',
      email: 'rowan@example.com',
    })
    teacher.assertStatus(201)
    const dated = await s.admin.post('/erp/students', {
      enrollment_no: 'S-9',
      first_name: 'Dora',
      last_name: 'Marlowe',
      date_of_birth: '2012-03-04',
      admitted_on: '2020-09-01',
      metadata: { house: 'Ash', sizes: [1, 2.5] },
    })
    dated.assertStatus(201)
    const found = await s.admin.get('/search?q=Marlowe')
    found.assertStatus(200)
    assert.sameMembers(
      found.body().data.map((hit: any) => `${hit.type}:${hit.id}`),
      [
        `erp.students:${s.students.Kit}`,
        `erp.students:${s.students.Christopher}`,
        `erp.students:${dated.body().data.id}`,
        `erp.teachers:${teacher.body().data.id}`,
      ]
    )
    assert.equal(found.body().meta.pagination.total, 4)
    // Ids, timestamps, dates and custom values read back exactly as a plain read gives them.
    for (const hit of found.body().data) {
      const path = `/${hit.type.replace('.', '/')}/${hit.id}`
      assert.deepEqual(hit.record, (await s.admin.get(path)).body().data, path)
    }
    // A word of one resource is matched as a word; a misspelling only when nothing matched a word.
    const misspelt = await s.admin.get('/search?q=Christofer')
    assert.deepEqual(
      misspelt.body().data.map((hit: any) => `${hit.type}:${hit.id}`),
      [`erp.students:${s.students.Christopher}`]
    )
    assert.deepEqual(
      (await s.admin.get('/search?q=Rowan')).body().data.map((hit: any) => hit.type),
      ['erp.teachers']
    )
  })
})
