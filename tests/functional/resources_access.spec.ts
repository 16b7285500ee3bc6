import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type { Tenant } from '#core/tenancy/types'
import {
  api,
  BOOKS,
  inTenant,
  libraryTenant,
  LOANS,
  signIn,
  STUDENTS,
  type SignedIn,
} from '#tests/fixtures/plugins/library-lite/testing'

const ROLES = ['TenantAdmin', 'Teacher', 'Student', 'Parent', 'Staff'] as const
type Role = (typeof ROLES)[number]

test.group('Resources: permissions, row rules, field visibility', (group) => {
  let tenant: Tenant
  const users = {} as Record<Role | 'OtherStudent', SignedIn>
  const as = (client: ApiClient, who: keyof typeof users) => api(client, tenant, users[who].token)

  group.setup(async () => {
    tenant = await libraryTenant()
    const { ApiClient } = await import('@japa/api-client')
    const client = new ApiClient(`http://${process.env.HOST}:${process.env.PORT}`)
    for (const role of ROLES) users[role] = await signIn(client, tenant, role)
    users.OtherStudent = await signIn(client, tenant, 'Student', `student2@${tenant.slug}.example`)
  })

  test('permission matrix of the built-in roles on books, from the fixture grants', async ({
    client,
    assert,
  }) => {
    const platform = api(client, tenant)
    const book = (await platform.post(BOOKS, { title: 'Matrix' })).body().data
    const expected: Record<Role, [number, number, number, number]> = {
      TenantAdmin: [200, 201, 200, 200],
      Teacher: [200, 201, 200, 403],
      Student: [200, 403, 403, 403],
      Parent: [200, 403, 403, 403],
      Staff: [200, 201, 200, 200],
    }
    for (const role of ROLES) {
      const library = as(client, role)
      const doomed = (await platform.post(BOOKS, { title: `Doomed by ${role}` })).body().data
      const statuses = [
        (await library.get(BOOKS)).status(),
        (await library.post(BOOKS, { title: `By ${role}` })).status(),
        (await library.patch(`${BOOKS}/${book.id}`, { pages: 10 })).status(),
        (await library.delete(`${BOOKS}/${doomed.id}`)).status(),
      ]
      assert.deepEqual(statuses, expected[role], role)
    }
    const refused = await as(client, 'Student').post(BOOKS, { title: 'No' })
    assert.equal(refused.body().error.code, 'ERR_FORBIDDEN')
    assert.include(refused.body().error.message, 'library-lite.books.create')
    assert.equal((await as(client, 'Parent').get(STUDENTS)).status(), 403)
    const anonymous = await client.get(`/api/v1/${BOOKS}`).header('x-tenant-id', tenant.slug)
    anonymous.assertStatus(401)
    assert.equal(anonymous.body().error.code, 'ERR_AUTH_REQUIRED')
  })

  test('sensitive fields are masked or omitted without their permission, and cannot be filtered, sorted or set', async ({
    client,
    assert,
  }) => {
    const platform = api(client, tenant)
    const book = (await platform.post(BOOKS, { title: 'Priced', price: 9.99 })).body().data
    const prices: Record<string, string> = {}
    for (const role of ROLES)
      prices[role] = (await as(client, role).get(`${BOOKS}/${book.id}`)).body().data.price
    assert.deepEqual(prices, {
      TenantAdmin: '9.99',
      Teacher: '***',
      Student: '***',
      Parent: '***',
      Staff: '9.99',
    })
    const listed = await as(client, 'Parent').get(`${BOOKS}?filter[id][eq]=${book.id}`)
    assert.equal(listed.body().data[0].price, '***')

    const teacher = as(client, 'Teacher')
    for (const query of ['filter[price][gt]=1', 'sort=price']) {
      const response = await teacher.get(`${BOOKS}?${query}`)
      response.assertStatus(400)
      assert.equal(response.body().error.details[0].rule, 'forbidden_field')
    }
    const setPrice = await teacher.patch(`${BOOKS}/${book.id}`, { price: 1 })
    setPrice.assertStatus(400)
    assert.equal(setPrice.body().error.details[0].rule, 'forbidden_field')
    assert.equal((await as(client, 'Staff').get(`${BOOKS}?filter[price][gt]=9`)).status(), 200)

    const student = (
      await platform.post(STUDENTS, {
        name: 'Phoned',
        phone: '+254 700 000 001',
        user_id: users.Student.id,
      })
    ).body().data
    const seenByTeacher = (await teacher.get(`${STUDENTS}/${student.id}`)).body().data
    assert.equal(seenByTeacher.phone, '+254 700 000 001')
    const seenByStudent = (await as(client, 'Student').get(`${STUDENTS}/${student.id}`)).body().data
    assert.notProperty(seenByStudent, 'phone')
    assert.equal(seenByStudent.name, 'Phoned')
    const filtered = await as(client, 'Student').get(`${STUDENTS}?filter[phone][null]=false`)
    filtered.assertStatus(400)
  })

  test('row rules: a student reaches only their own rows in list, detail, search, update and delete', async ({
    client,
    assert,
  }) => {
    const platform = api(client, tenant)
    const own = (
      await platform.post(STUDENTS, { name: 'Own Rowe', user_id: users.OtherStudent.id })
    ).body().data
    const other = (await platform.post(STUDENTS, { name: 'Other Rowe' })).body().data
    const book = (await platform.post(BOOKS, { title: 'Rowed' })).body().data
    const book2 = (await platform.post(BOOKS, { title: 'Rowed again' })).body().data
    const ownLoan = (
      await platform.post(LOANS, { book_id: book.id, student_id: own.id, due_on: '2032-01-01' })
    ).body().data
    const otherLoan = (
      await platform.post(LOANS, { book_id: book2.id, student_id: other.id, due_on: '2032-01-01' })
    ).body().data

    const student = as(client, 'OtherStudent')
    const names = (response: any) => response.body().data.map((s: { name: string }) => s.name)
    assert.deepEqual(names(await student.get(STUDENTS)), ['Own Rowe'])
    assert.deepEqual(names(await student.get(`${STUDENTS}?search=rowe`)), ['Own Rowe'])
    assert.equal((await student.get(STUDENTS)).body().meta.pagination.total, 1)
    ;(await student.get(`${STUDENTS}/${own.id}`)).assertStatus(200)
    const hidden = await student.get(`${STUDENTS}/${other.id}`)
    hidden.assertStatus(404)
    assert.equal(hidden.body().error.code, 'ERR_RECORD_NOT_FOUND')

    ;(await student.patch(`${STUDENTS}/${own.id}`, { grade: 5 })).assertStatus(200)
    ;(await student.patch(`${STUDENTS}/${other.id}`, { grade: 5 })).assertStatus(404)
    const away = await student.patch(`${STUDENTS}/${own.id}`, { user_id: users.Teacher.id })
    away.assertStatus(403)
    assert.equal(
      (await platform.get(`${STUDENTS}/${own.id}`)).body().data.user_id,
      users.OtherStudent.id
    )

    const loans = await student.get(LOANS)
    assert.deepEqual(
      loans.body().data.map((loan: { id: string }) => loan.id),
      [ownLoan.id]
    )
    ;(await student.get(`${LOANS}/${otherLoan.id}`)).assertStatus(404)
    ;(await student.delete(`${LOANS}/${otherLoan.id}`)).assertStatus(404)
    ;(await platform.get(`${LOANS}/${otherLoan.id}`)).assertStatus(200)
    ;(await student.delete(`${LOANS}/${ownLoan.id}`)).assertStatus(200)

    const teacherSees = await as(client, 'Teacher').get(`${STUDENTS}?filter[name][contains]=rowe`)
    assert.sameMembers(names(teacherSees), ['Own Rowe', 'Other Rowe'])

    // A second role without a rule lifts the restriction (the union of the roles' rules).
    await inTenant(tenant, (trx) =>
      trx.rawQuery(
        `INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = 'Teacher'`,
        [users.OtherStudent.id]
      )
    )
    const both = await student.get(`${STUDENTS}?filter[name][contains]=rowe`)
    assert.sameMembers(names(both), ['Own Rowe', 'Other Rowe'])
  })

  test('changes by a user are audited and delivered as events under that user', async ({
    client,
    assert,
  }) => {
    const teacher = as(client, 'Teacher')
    const book = await teacher.post(BOOKS, { title: 'Evented' })
    book.assertStatus(201)
    assert.equal(book.body().data.added_by_id, users.Teacher.id)
    const included = await teacher.get(`${BOOKS}/${book.body().data.id}?include=added_by`)
    assert.deepEqual(included.body().data.added_by, {
      id: users.Teacher.id,
      name: `teacher`,
    })

    const student = (await api(client, tenant).post(STUDENTS, { name: 'Evelyn' })).body().data
    const loan = await teacher
      .post(LOANS, { book_id: book.body().data.id, student_id: student.id, due_on: '2033-01-01' })
      .header('x-request-id', 'req-evented-loan')
    loan.assertStatus(201)

    const [entry] = await inTenant(tenant, (trx) =>
      trx.from('audit_log').where('subject', `library-lite.loans:${loan.body().data.id}`)
    )
    assert.equal(entry.actor, `user:${users.Teacher.id}`)
    assert.equal(entry.action, 'library-lite.loans.create')
    assert.equal(entry.request_id, 'req-evented-loan')
    assert.equal(entry.data.after.student_id, student.id)

    let delivered: any[] = []
    for (let attempt = 0; attempt < 50 && !delivered.length; attempt++) {
      delivered = await inTenant(tenant, (trx) =>
        trx.from('library_lite_event_log').whereRaw(`payload->>'id' = ?`, [loan.body().data.id])
      )
      if (!delivered.length) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.lengthOf(delivered, 1)
    assert.equal(delivered[0].name, 'library-lite.loans.created')
    assert.equal(delivered[0].actor, `user:${users.Teacher.id}`)
    assert.equal(delivered[0].payload.record.due_on, '2033-01-01')
  })
})
