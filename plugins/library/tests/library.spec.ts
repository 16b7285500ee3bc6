import { test } from '@japa/runner'
import type { ApiRequest } from '@japa/api-client'
import {
  created,
  eventually,
  ok,
  openSchool,
  refused,
  sharedSchool,
  total,
  type Person,
  type School,
} from '@oryne/sdk/testing'
import { sweepLoans } from '../jobs/reminders.js'
import { libraryCalendar } from '../calendar.js'
import { seedLibraryDemo } from '../demo.js'
import { addDays, tenantToday } from '@oryne/sdk'

/*
 * The library end to end through HTTP, each step as the role that performs
 * it: a TenantAdmin sets the card rules, the librarian (Staff) runs the desk,
 * Students and a Parent follow their own (their child's) loans, reservations
 * and fines, and a Teacher borrows as a staff member. Every test works on
 * titles and copies of its own, so tests do not depend on each other's order.
 */

type Who = 'head' | 'librarian' | 'teacher' | 'student' | 'student2' | 'student3' | 'parent'

type LibrarySchool = School<Who> & {
  /** ERP student ids: s1 is `student` (child of `parent`), s2 `student2`, s3 `student3`. */
  s1: string
  s2: string
  s3: string
}

/** The library's API (and the ERP's, which bills its fines) as one of the school's people. */
function as(school: School<Who>, who: Who | Person) {
  const api = school.as(who)
  return {
    get: (path: string) => api.get(`/library${path}`),
    post: (path: string) => api.post(`/library${path}`),
    patch: (path: string) => api.patch(`/library${path}`),
    erpGet: (path: string) => api.get(`/erp${path}`),
    erpPost: (path: string) => api.post(`/erp${path}`),
  }
}

function todayOf(school: LibrarySchool) {
  return school.run(() => tenantToday())
}

/** Moves an open loan's due date `days` before today, as if it had been issued long ago. */
function backDate(school: LibrarySchool, loanId: string, days: number) {
  return school.db(async (trx) => {
    await trx
      .from('library_loans')
      .where('id', loanId)
      .update({ due_on: addDays(tenantToday(), -days) })
  })
}

/** The in-app notification bodies of `who`, once one contains `text` (events are delivered after the commit). */
async function inboxWith(school: LibrarySchool, who: Who, text: string) {
  const notes = await eventually(() => school.inbox(who), {
    until: (found) => found.some((note) => note.body.includes(text)),
  })
  return notes.map((note) => note.body)
}

/** The shared school, with its ERP class, students and guardian and the library's card rules. */
const schoolFor = sharedSchool(
  {
    // The library depends on the ERP: enabling it enables the ERP first.
    plugins: ['library'],
    people: {
      head: 'TenantAdmin',
      librarian: 'Staff',
      teacher: 'Teacher',
      student: 'Student',
      student2: 'Student',
      student3: 'Student',
      parent: 'Parent',
    },
  },
  async (school: School<Who>) => {
    const head = as(school, 'head')
    const grade = await created(head.erpPost('/classes').json({ name: 'Grade 7', grade_level: 7 }))
    const student = (no: string, userId: string) =>
      created(
        head.erpPost('/students').json({
          enrollment_no: no,
          first_name: 'Pupil',
          last_name: no,
          class_id: grade.id,
          user_id: userId,
        })
      )
    const s1 = await student('L-001', school.people.student.id)
    const s2 = await student('L-002', school.people.student2.id)
    const s3 = await student('L-003', school.people.student3.id)
    await created(
      head
        .erpPost('/guardians')
        .json({ student_id: s1.id, user_id: school.people.parent.id, name: 'Pat' })
    )
    // Students: 3 loans of 14 days, one renewal, 100 a day capped at 500. Teachers: no cap.
    await created(
      head.post('/card_rules').json({
        name: 'Students',
        role: 'Student',
        max_loans: 3,
        loan_days: 14,
        renewals_allowed: 1,
        fine_per_day: 100,
        fine_cap: 500,
      })
    )
    await created(
      head.post('/card_rules').json({
        name: 'Teachers',
        role: 'Teacher',
        max_loans: 10,
        loan_days: 28,
        renewals_allowed: 3,
        fine_per_day: 50,
        fine_cap: 0,
      })
    )
    return { s1: s1.id as string, s2: s2.id as string, s3: s3.id as string }
  }
)

let shelf = 0
/** A title with `count` lendable copies (barcodes returned), catalogued by the librarian. */
async function newTitle(school: LibrarySchool, count = 1, fields = {}) {
  const desk = as(school, 'librarian')
  shelf++
  const title = await created(
    desk.post('/titles').json({ title: `Book ${shelf}`, authors: 'A. Writer', ...fields })
  )
  const barcodes: string[] = []
  for (let i = 1; i <= count; i++) {
    const copy = await created(
      desk
        .post('/copies')
        .json({ title_id: title.id, barcode: `B${shelf}-${i}`, shelf_location: 'A1' })
    )
    barcodes.push(copy.barcode)
  }
  return { title, barcodes }
}

function issue(
  school: LibrarySchool,
  barcode: string,
  borrower: Record<string, string>
): ApiRequest {
  return as(school, 'librarian')
    .post('/circulation/issue')
    .json({ barcode, ...borrower })
}

/** Sets the library's `block_borrowing_over` (0 turns the block off). */
function blockBorrowingOver(school: LibrarySchool, amount: number) {
  return ok(
    school.as('head').patch('/admin/plugins/library/settings').json({
      block_borrowing_over: amount,
    })
  )
}

test.group('Library: catalogue', () => {
  test('the librarian catalogues titles and copies; borrowers read, never write', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { title, barcodes } = await newTitle(school, 2, { isbn: '978-0-14-143951-8' })
    const student = as(school, 'student')
    const copies = await ok(student.get(`/copies?filter[title_id]=${title.id}`))
    assert.deepEqual(
      copies.map((c: any) => [c.barcode, c.status]),
      barcodes.map((b) => [b, 'available'])
    )
    await refused(student.post('/titles').json({ title: 'Mine' }), 403, 'ERR_FORBIDDEN')
    // The status belongs to circulation.
    await refused(
      as(school, 'librarian').patch(`/copies/${copies[0].id}`).json({ status: 'on_loan' }),
      400,
      'ERR_VALIDATION'
    )
    await refused(
      as(school, 'librarian').post('/copies').json({ title_id: title.id, barcode: barcodes[0] }),
      409,
      'ERR_CONFLICT'
    )
  })

  test('a CSV import is all or nothing, with every bad row reported by number', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const desk = as(school, 'librarian')
    const before = await total(desk.get('/titles?per_page=1'))
    const bad = [
      'isbn,title,authors,year,barcode,shelf_location,reference_only',
      '9780553380163,A Brief History of Time,Stephen Hawking,1998,IMP-1,S1,false',
      '9780553380163,A Brief History of Time,Stephen Hawking,1998,IMP-2,S1,',
      'not-an-isbn,Broken,,1998,IMP-3,S1,',
      '9780198526636,The Selfish Gene,Richard Dawkins,nineteen,IMP-1,S2,maybe',
      ',,Nobody,,IMP-5,,',
    ].join('\n')
    const error = await refused(
      desk.post('/imports/catalogue').json({ csv: bad }),
      422,
      'ERR_LIBRARY_IMPORT_INVALID'
    )
    assert.deepEqual(
      error.details.map((d: any) => [d.row, d.field]),
      [
        [4, 'isbn'],
        [5, 'year'],
        [5, 'barcode'],
        [5, 'reference_only'],
        [6, 'title'],
      ]
    )
    assert.equal(await total(desk.get('/titles?per_page=1')), before)

    const good = [
      'isbn,title,authors,subjects,publisher,year,replacement_cost,barcode,shelf_location,reference_only',
      '9780553380163,A Brief History of Time,Stephen Hawking,Physics,Bantam,1998,1800,IMP-1,S1,false',
      '9780553380163,A Brief History of Time,Stephen Hawking,Physics,Bantam,1998,1800,IMP-2,S1,',
      '9780192806871,Oxford Dictionary,Oxford,Reference,OUP,2010,,IMP-3,R1,yes',
      ',Class notes,,,,,,,,',
    ].join('\n')
    const result = await created(desk.post('/imports/catalogue').json({ csv: good }))
    assert.deepEqual(result, { titles_created: 3, titles_matched: 0, copies_created: 3 })
    const imported = await ok(
      desk.get('/copies?filter[barcode][in]=IMP-1,IMP-2,IMP-3&include=title')
    )
    assert.deepEqual(
      imported.map((c: any) => [c.barcode, c.title.title, c.reference_only]),
      [
        ['IMP-1', 'A Brief History of Time', false],
        ['IMP-2', 'A Brief History of Time', false],
        ['IMP-3', 'Oxford Dictionary', true],
      ]
    )
    // The same barcodes again: refused against the catalogue, nothing written.
    const again = await refused(
      desk.post('/imports/catalogue').json({ csv: good }),
      422,
      'ERR_LIBRARY_IMPORT_INVALID'
    )
    assert.deepEqual(
      again.details.map((d: any) => d.row),
      [2, 3, 4]
    )
    await refused(
      as(school, 'student').post('/imports/catalogue').json({ csv: good }),
      403,
      'ERR_FORBIDDEN'
    )
  })
})

test.group('Library: circulation', () => {
  test('issue, renew and return by barcode, with a stable code for every refusal', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { title, barcodes } = await newTitle(school, 1)
    const issued = await issue(school, barcodes[0], { student_id: school.s1 })
    issued.assertStatus(201)
    const loan = issued.body().data
    assert.equal(issued.header('location'), `/api/v1/library/loans/${loan.id}`)
    assert.equal(loan.title_id, title.id)
    assert.equal(loan.due_on, addDays(todayOf(school), 14))
    await refused(
      issue(school, barcodes[0], { student_id: school.s2 }),
      409,
      'ERR_LIBRARY_COPY_NOT_AVAILABLE'
    )
    await refused(
      issue(school, 'NO-SUCH-COPY', { student_id: school.s2 }),
      404,
      'ERR_LIBRARY_COPY_NOT_FOUND'
    )
    await refused(issue(school, barcodes[0], {}), 400, 'ERR_LIBRARY_BORROWER_REQUIRED')
    await refused(
      as(school, 'student').post('/circulation/issue').json({ barcode: barcodes[0] }),
      403,
      'ERR_FORBIDDEN'
    )

    const desk = as(school, 'librarian')
    const renewed = await ok(desk.post('/circulation/renew').json({ barcode: barcodes[0] }))
    assert.equal(renewed.renewals, 1)
    await refused(
      desk.post('/circulation/renew').json({ barcode: barcodes[0] }),
      409,
      'ERR_LIBRARY_RENEWAL_LIMIT'
    )
    const back = await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    assert.equal(back.loan.status, 'returned')
    assert.deepEqual([back.days_overdue, back.fine_total, back.fines], [0, 0, []])
    await refused(
      desk.post('/circulation/return').json({ barcode: barcodes[0] }),
      409,
      'ERR_LIBRARY_COPY_NOT_ON_LOAN'
    )
    const [copy] = await ok(desk.get(`/copies?filter[barcode]=${barcodes[0]}`))
    assert.equal(copy.status, 'available')
  })

  test('reference-only copies, the loan limit and suspended members are refused', async ({
    client,
  }) => {
    const school = await schoolFor(client)
    const desk = as(school, 'librarian')
    const { title } = await newTitle(school, 0)
    await created(
      desk
        .post('/copies')
        .json({ title_id: title.id, barcode: `REF-${title.id}`, reference_only: true })
    )
    await refused(
      issue(school, `REF-${title.id}`, { student_id: school.s3 }),
      409,
      'ERR_LIBRARY_COPY_REFERENCE_ONLY'
    )
    const { barcodes } = await newTitle(school, 4)
    for (const barcode of barcodes.slice(0, 3))
      await created(issue(school, barcode, { student_id: school.s3 }))
    await refused(
      issue(school, barcodes[3], { student_id: school.s3 }),
      409,
      'ERR_LIBRARY_LOAN_LIMIT_REACHED'
    )
    const [copy] = await ok(desk.get(`/copies?filter[barcode]=${barcodes[3]}`))
    if (copy.status !== 'available') throw new Error('A refused issue changed the copy')
    for (const barcode of barcodes.slice(0, 3))
      await ok(desk.post('/circulation/return').json({ barcode }))

    const [member] = await ok(desk.get(`/members?filter[student_id]=${school.s3}`))
    await ok(desk.patch(`/members/${member.id}`).json({ status: 'suspended' }))
    await refused(
      issue(school, barcodes[3], { student_id: school.s3 }),
      409,
      'ERR_LIBRARY_MEMBER_SUSPENDED'
    )
    await ok(desk.patch(`/members/${member.id}`).json({ status: 'active' }))
  })

  test('a class card rule comes before the Student rule, read with the member in the issue', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const head = as(school, 'head')
    const grade = await created(head.erpPost('/classes').json({ name: 'Grade 9', grade_level: 9 }))
    const pupil = await created(
      head.erpPost('/students').json({
        enrollment_no: `L-9-${grade.id}`,
        first_name: 'Pupil',
        last_name: 'Nine',
        class_id: grade.id,
      })
    )
    await created(
      head.post('/card_rules').json({
        name: 'Grade 9',
        class_id: grade.id,
        max_loans: 1,
        loan_days: 3,
        renewals_allowed: 0,
        fine_per_day: 10,
        fine_cap: 20,
      })
    )
    const { barcodes } = await newTitle(school, 2)
    const loan = await created(issue(school, barcodes[0], { student_id: pupil.id }))
    assert.equal(loan.due_on, addDays(todayOf(school), 3))
    await refused(
      issue(school, barcodes[1], { student_id: pupil.id }),
      409,
      'ERR_LIBRARY_LOAN_LIMIT_REACHED'
    )
    // A student of another class keeps the Student rule (14 days).
    const other = await created(issue(school, barcodes[1], { student_id: school.s2 }))
    assert.equal(other.due_on, addDays(todayOf(school), 14))
    const desk = as(school, 'librarian')
    for (const barcode of barcodes) await ok(desk.post('/circulation/return').json({ barcode }))
  })

  test('50 concurrent issues of one copy: exactly one loan, the others ERR_LIBRARY_COPY_NOT_AVAILABLE', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 1)
    const rush = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        created(
          as(school, 'head')
            .erpPost('/students')
            .json({
              enrollment_no: `RUSH-${barcodes[0]}-${i}`,
              first_name: 'Rush',
              last_name: String(i),
            })
        )
      )
    )
    const students: string[] = rush.map((row: { id: string }) => String(row.id))
    const answers = await Promise.all(
      students.map((student) => issue(school, barcodes[0], { student_id: student }))
    )
    const statuses = answers.map((answer) => answer.status())
    assert.equal(statuses.filter((status) => status === 201).length, 1)
    assert.equal(statuses.filter((status) => status === 409).length, 49)
    for (const answer of answers.filter((a) => a.status() === 409))
      assert.equal(answer.body().error.code, 'ERR_LIBRARY_COPY_NOT_AVAILABLE')
    const loans = await ok(
      as(school, 'librarian').get(
        `/loans?filter[copy_id]=${answers.find((a) => a.status() === 201)!.body().data.copy_id}`
      )
    )
    assert.lengthOf(loans, 1)

    // PostgreSQL itself refuses a second open loan of the copy, whatever writes it.
    const second = await school
      .db<unknown>((trx) =>
        trx.insertQuery().table('library_loans').insert({
          copy_id: loans[0].copy_id,
          title_id: loans[0].title_id,
          member_id: loans[0].member_id,
          issued_at: new Date(),
          due_on: tenantToday(),
          status: 'open',
        })
      )
      .catch((error) => error)
    const refusal = second as { code?: string; constraint?: string }
    assert.equal(refusal.code, '23505')
    assert.equal(refusal.constraint, 'library_loans_one_open_per_copy')
  })

  test('students and teachers renew their own loans, on the usual terms, and nobody else’s', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const desk = as(school, 'librarian')
    const renew = (who: Who, barcode: string) =>
      as(school, who).post('/circulation/renew').json({ barcode })
    const { barcodes } = await newTitle(school, 3)
    const { title: wanted, barcodes: held } = await newTitle(school, 1)
    const mine = await created(issue(school, barcodes[0], { student_id: school.s2 }))
    const late = await created(issue(school, barcodes[1], { student_id: school.s2 }))
    await created(issue(school, held[0], { student_id: school.s2 }))
    await created(issue(school, barcodes[2], { user_id: school.people.teacher.id }))
    await backDate(school, late.id, 1)

    // Another member's loan is answered like a copy nobody borrowed: it tells nothing.
    await ok(desk.post('/circulation/return').json({ barcode: held[0] }))
    const nobodys = await refused(renew('student3', held[0]), 409, 'ERR_LIBRARY_COPY_NOT_ON_LOAN')
    await created(issue(school, held[0], { student_id: school.s2 }))
    const others = await refused(renew('student3', held[0]), 409, 'ERR_LIBRARY_COPY_NOT_ON_LOAN')
    assert.deepEqual([others.code, others.message], [nobodys.code, nobodys.message])
    await refused(renew('teacher', barcodes[0]), 409, 'ERR_LIBRARY_COPY_NOT_ON_LOAN')
    await refused(renew('student2', barcodes[2]), 409, 'ERR_LIBRARY_COPY_NOT_ON_LOAN')
    const untouched = await ok(desk.get(`/loans/${mine.id}`))
    assert.equal(untouched.renewals, 0)
    // Parents follow their child's loans; they do not renew them.
    await refused(renew('parent', barcodes[0]), 403, 'ERR_FORBIDDEN')

    const renewed = await ok(renew('student2', barcodes[0]))
    assert.deepEqual([renewed.id, renewed.renewals], [mine.id, 1])
    // The students' card rule allows one renewal; an overdue loan is never renewed.
    await refused(renew('student2', barcodes[0]), 409, 'ERR_LIBRARY_RENEWAL_LIMIT')
    await refused(renew('student2', barcodes[1]), 409, 'ERR_LIBRARY_LOAN_OVERDUE')
    // Someone waiting for the title blocks the renewal.
    const queued = await created(
      as(school, 'student3').post('/reservations').json({ title_id: wanted.id })
    )
    await refused(renew('student2', held[0]), 409, 'ERR_LIBRARY_TITLE_RESERVED')
    await ok(as(school, 'student3').post(`/reservations/${queued.id}/cancel`))

    const teachers = await ok(renew('teacher', barcodes[2]))
    assert.equal(teachers.renewals, 1)
    for (const barcode of [...barcodes, ...held])
      await ok(desk.post('/circulation/return').json({ barcode, waive_reason: 'Test over' }))
  })
})

test.group('Library: the API document', () => {
  test('every library route is described: summary, request body, statuses and refusal codes', async ({
    client,
    assert,
  }) => {
    const response = await client.get('/api/v1/openapi.json')
    response.assertStatus(200)
    const paths: Record<string, Record<string, any>> = response.body().paths
    const library = Object.entries(paths).filter(([path]) => path.startsWith('/api/v1/library/'))
    assert.isAbove(library.length, 10)
    // Writes that take no input: the only ones without a request body.
    const actions = ['post /api/v1/library/reservations/{id}/cancel']
    for (const [path, item] of library) {
      for (const [method, operation] of Object.entries(item)) {
        assert.isString(operation.summary, `${method} ${path} has a summary`)
        if (['post', 'put', 'patch'].includes(method) && !actions.includes(`${method} ${path}`))
          assert.property(operation, 'requestBody', `${method} ${path} documents its body`)
      }
    }

    const desk = paths['/api/v1/library/circulation/issue'].post
    assert.include(desk.requestBody.content['application/json'].schema.required, 'barcode')
    assert.includeMembers(Object.keys(desk.responses), ['201', '400', '403', '404', '409'])
    assert.notProperty(desk.responses, '200')
    for (const code of [
      'ERR_LIBRARY_COPY_NOT_AVAILABLE',
      'ERR_LIBRARY_LOAN_LIMIT_REACHED',
      'ERR_LIBRARY_FINES_OUTSTANDING',
    ])
      assert.include(desk.responses['409'].description, code)
    assert.include(desk.responses['400'].description, 'ERR_LIBRARY_BORROWER_REQUIRED')
    assert.include(desk.responses['400'].description, 'ERR_VALIDATION')
    // Waiving a billed fine credits its ERP invoice: the ERP's refusal is listed too.
    const waive = paths['/api/v1/library/fines/{id}/waive'].post
    assert.include(waive.responses['409'].description, 'ERR_ERP_OVER_CREDIT')
  })
})

test.group('Library: tenants', () => {
  test('another tenant neither sees nor lends the school’s copies', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 1)
    const loan = await created(issue(school, barcodes[0], { student_id: school.s2 }))
    const other = await openSchool(client)
    const platform = (method: 'get' | 'post', path: string) => other.as('platform')[method](path)
    await ok(
      platform('post', `/platform/tenants/${other.tenant.slug}/plugins/library/enable`).json({})
    )
    await refused(
      platform('post', '/library/circulation/issue').json({
        barcode: barcodes[0],
        student_id: school.s2,
      }),
      404,
      'ERR_LIBRARY_COPY_NOT_FOUND'
    )
    assert.deepEqual(await ok(platform('get', '/library/loans')), [])
    await refused(platform('get', `/library/loans/${loan.id}`), 404, 'ERR_RECORD_NOT_FOUND')
    await ok(as(school, 'librarian').post('/circulation/return').json({ barcode: barcodes[0] }))
  })
})

test.group('Library: fines', () => {
  test('an overdue return bills the fine on an ERP invoice of the student', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { title, barcodes } = await newTitle(school, 2)
    const late = await created(issue(school, barcodes[0], { student_id: school.s1 }))
    const later = await created(issue(school, barcodes[1], { student_id: school.s1 }))
    await backDate(school, late.id, 4)
    await backDate(school, later.id, 9)
    const desk = as(school, 'librarian')

    const first = await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    assert.equal(first.days_overdue, 4)
    assert.equal(first.fine_total, 400)
    const [fine] = first.fines
    assert.equal(fine.status, 'invoiced')
    const invoice = await ok(as(school, 'head').erpGet(`/invoices/${fine.invoice_id}`))
    assert.equal(invoice.student_id, school.s1)
    assert.equal(invoice.amount, 400)
    assert.equal(invoice.source, 'library')
    assert.equal(invoice.status, 'open')
    const lines = await ok(
      as(school, 'head').erpGet(`/invoice_lines?filter[invoice_id]=${invoice.id}`)
    )
    assert.deepEqual(
      lines.map((line: any) => [line.description, line.amount]),
      [[`Library fine, overdue: "${title.title}" (4 days)`, 400]]
    )
    // Nine days at 100 a day is capped at 500.
    const second = await ok(desk.post('/circulation/return').json({ barcode: barcodes[1] }))
    assert.deepEqual([second.days_overdue, second.fine_total], [9, 500])

    // The student and their parent see the fine and its invoice; another student sees neither.
    for (const who of ['student', 'parent'] as const) {
      const fines = await ok(as(school, who).get(`/fines?filter[loan_id]=${late.id}`))
      assert.deepEqual(
        fines.map((f: any) => f.amount),
        [400]
      )
      await ok(as(school, who).erpGet(`/invoices/${fine.invoice_id}`))
    }
    assert.deepEqual(await ok(as(school, 'student2').get(`/fines?filter[loan_id]=${late.id}`)), [])
    await refused(
      as(school, 'student2').erpGet(`/invoices/${fine.invoice_id}`),
      404,
      'ERR_RECORD_NOT_FOUND'
    )
    // A billed fine is paid in the ERP, not at the desk.
    await refused(desk.post(`/fines/${fine.id}/settle`).json({}), 409, 'ERR_LIBRARY_FINE_INVOICED')
    // Only the library takes back what it billed: the ERP's own credit route refuses its invoice.
    await refused(
      as(school, 'head')
        .erpPost(`/invoices/${fine.invoice_id}/credits`)
        .json({ amount: 400, reason: 'Goodwill' }),
      409,
      'ERR_ERP_CREDIT_SOURCE'
    )
    // Waiving it credits its invoice: nothing is owed and nothing was paid, so the invoice is cancelled.
    const waived = await ok(desk.post(`/fines/${fine.id}/waive`).json({ reason: 'First time' }))
    assert.deepEqual([waived.status, waived.invoice_id], ['waived', fine.invoice_id])
    const cancelled = await ok(as(school, 'head').erpGet(`/invoices/${fine.invoice_id}`))
    assert.deepEqual([cancelled.amount, cancelled.status], [0, 'cancelled'])
    const credited = await ok(
      as(school, 'head').erpGet(`/invoice_lines?filter[invoice_id]=${invoice.id}&sort=id`)
    )
    assert.deepEqual(
      credited.map((line: any) => [line.description, line.amount]),
      [
        [`Library fine, overdue: "${title.title}" (4 days)`, 400],
        [`Credit: library fine ${fine.id} waived (First time)`, -400],
      ]
    )
    await refused(
      desk.post(`/fines/${fine.id}/waive`).json({ reason: 'Once more' }),
      409,
      'ERR_LIBRARY_FINE_CLOSED'
    )
  })

  test('waiving one fine of a part-paid invoice lowers its balance by the fine; never below what was paid', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 1)
    const desk = as(school, 'librarian')
    const head = as(school, 'head')
    const loan = await created(issue(school, barcodes[0], { student_id: school.s3 }))
    await backDate(school, loan.id, 3)
    const back = await ok(
      desk
        .post('/circulation/return')
        .json({ barcode: barcodes[0], condition: 'damaged', damage_charge: 700 })
    )
    const fineOf = (kind: string) => back.fines.find((f: any) => f.kind === kind)
    const [overdue, damaged] = [fineOf('overdue'), fineOf('damaged')]
    assert.deepEqual([overdue.amount, damaged.amount], [300, 700])
    assert.equal(overdue.invoice_id, damaged.invoice_id)
    const invoiceId = overdue.invoice_id
    await created(
      head.erpPost('/payments').json({ invoice_id: invoiceId, amount: 700, method: 'cash' })
    )
    const invoice = () => ok(head.erpGet(`/invoices/${invoiceId}`))
    const owed = (i: any) => i.amount - i.discount + i.fine - i.paid + i.refunded
    const before = await invoice()
    assert.deepEqual([owed(before), before.status], [300, 'partially_paid'])

    // 700 cannot be taken back from an invoice that has 300 left to pay: refund first.
    await refused(
      desk.post(`/fines/${damaged.id}/waive`).json({ reason: 'Old copy anyway' }),
      409,
      'ERR_ERP_OVER_CREDIT'
    )
    const still = await ok(desk.get(`/fines?filter[loan_id]=${loan.id}`))
    assert.deepEqual(
      still.map((f: any) => f.status),
      ['invoiced', 'invoiced']
    )
    const unchanged = await invoice()
    assert.equal(unchanged.amount, 1000)

    const waived = await ok(desk.post(`/fines/${overdue.id}/waive`).json({ reason: 'Was ill' }))
    assert.equal(waived.status, 'waived')
    const after = await invoice()
    assert.deepEqual([after.amount, owed(after), after.status], [700, 0, 'paid'])
  })

  test('staff fines are owed to the library and waived by staff with a reason', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 2)
    const desk = as(school, 'librarian')
    const loan = await created(issue(school, barcodes[0], { user_id: school.people.teacher.id }))
    assert.equal(loan.due_on, addDays(todayOf(school), 28))
    await backDate(school, loan.id, 30)
    const invoicesBefore = await total(as(school, 'head').erpGet('/invoices?per_page=1'))
    const back = await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    // Teachers: 50 a day, no cap.
    assert.deepEqual(
      [back.fine_total, back.fines[0].status, back.fines[0].invoice_id],
      [1500, 'owed', null]
    )
    assert.equal(await total(as(school, 'head').erpGet('/invoices?per_page=1')), invoicesBefore)
    const fineId = back.fines[0].id
    const mine = await ok(as(school, 'teacher').get('/fines'))
    assert.deepEqual(
      mine.map((f: any) => f.id),
      [fineId]
    )
    await refused(
      as(school, 'teacher').post(`/fines/${fineId}/waive`).json({ reason: 'Please' }),
      403,
      'ERR_FORBIDDEN'
    )
    await refused(desk.post(`/fines/${fineId}/waive`).json({}), 400, 'ERR_VALIDATION')
    const waived = await ok(desk.post(`/fines/${fineId}/waive`).json({ reason: 'Was on leave' }))
    assert.deepEqual(
      [waived.status, waived.waive_reason, waived.waived_by],
      ['waived', 'Was on leave', school.people.librarian.id]
    )
    await refused(desk.post(`/fines/${fineId}/settle`).json({}), 409, 'ERR_LIBRARY_FINE_CLOSED')

    // Waived at the desk on return: recorded, never billed.
    const student = await created(issue(school, barcodes[1], { student_id: school.s2 }))
    await backDate(school, student.id, 2)
    const kind = await ok(
      desk.post('/circulation/return').json({ barcode: barcodes[1], waive_reason: 'Was ill' })
    )
    assert.deepEqual([kind.fines[0].status, kind.fines[0].invoice_id], ['waived', null])
    assert.equal(await total(as(school, 'head').erpGet('/invoices?per_page=1')), invoicesBefore)
  })

  test('lost and damaged copies are charged their replacement cost', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 2, { replacement_cost: 2500 })
    const desk = as(school, 'librarian')
    await created(issue(school, barcodes[0], { student_id: school.s2 }))
    const lost = await ok(desk.post('/circulation/lost').json({ barcode: barcodes[0] }))
    assert.deepEqual(
      lost.fines.map((f: any) => [f.kind, f.amount, f.status]),
      [['lost', 2500, 'invoiced']]
    )
    await refused(
      issue(school, barcodes[0], { student_id: school.s2 }),
      409,
      'ERR_LIBRARY_COPY_NOT_AVAILABLE'
    )
    await created(issue(school, barcodes[1], { student_id: school.s2 }))
    const damaged = await ok(
      desk
        .post('/circulation/return')
        .json({ barcode: barcodes[1], condition: 'damaged', damage_charge: 700 })
    )
    assert.deepEqual(
      damaged.fines.map((f: any) => [f.kind, f.amount]),
      [['damaged', 700]]
    )
    const copies = await ok(desk.get(`/copies?filter[barcode][in]=${barcodes.join(',')}`))
    assert.deepEqual(
      copies.map((c: any) => c.status),
      ['lost', 'damaged']
    )
    await refused(
      desk.post('/circulation/return').json({ barcode: barcodes[1], damage_charge: -1 }),
      400,
      'ERR_VALIDATION'
    )
  })

  test('unpaid fines over block_borrowing_over stop issues and renewals, never returns', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const head = as(school, 'head')
    const desk = as(school, 'librarian')
    const blockOver = (amount: number) => blockBorrowingOver(school, amount)
    // A student of their own, so that fines of other tests do not count.
    const { class_id: classId } = await ok(head.erpGet(`/students/${school.s1}`))
    const { barcodes } = await newTitle(school, 3)
    const pupil = await created(
      head.erpPost('/students').json({
        enrollment_no: `L-FINES-${shelf}`,
        first_name: 'Pupil',
        last_name: 'Fined',
        class_id: classId,
      })
    )
    const late = await created(issue(school, barcodes[0], { student_id: pupil.id }))
    await created(issue(school, barcodes[1], { student_id: pupil.id }))
    await backDate(school, late.id, 3)
    const back = await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    assert.deepEqual([back.fine_total, back.fines[0].status], [300, 'invoiced'])
    const invoiceId = back.fines[0].invoice_id
    try {
      // At the limit a member still borrows: only more than it blocks.
      await blockOver(300)
      await created(issue(school, barcodes[2], { student_id: pupil.id }))
      await ok(desk.post('/circulation/return').json({ barcode: barcodes[2] }))

      await blockOver(299)
      const refusal = await refused(
        issue(school, barcodes[2], { student_id: pupil.id }),
        409,
        'ERR_LIBRARY_FINES_OUTSTANDING'
      )
      assert.include(refusal.message, 'has 300 in unpaid fines, more than the 299 allowed')
      await refused(
        desk.post('/circulation/renew').json({ barcode: barcodes[1] }),
        409,
        'ERR_LIBRARY_FINES_OUTSTANDING'
      )
      const [copy] = await ok(desk.get(`/copies?filter[barcode]=${barcodes[2]}`))
      assert.equal(copy.status, 'available')

      // The fine stays "invoiced" when its invoice is paid: the invoice's balance is what counts.
      await created(
        head.erpPost('/payments').json({ invoice_id: invoiceId, amount: 100, method: 'cash' })
      )
      await blockOver(200)
      const renewed = await ok(desk.post('/circulation/renew').json({ barcode: barcodes[1] }))
      assert.equal(renewed.renewals, 1)
      await blockOver(199)
      await refused(
        issue(school, barcodes[2], { student_id: pupil.id }),
        409,
        'ERR_LIBRARY_FINES_OUTSTANDING'
      )
      // Returns are never blocked.
      const returned = await ok(desk.post('/circulation/return').json({ barcode: barcodes[1] }))
      assert.equal(returned.loan.status, 'returned')

      // 0 turns the block off.
      await blockOver(0)
      await created(issue(school, barcodes[2], { student_id: pupil.id }))
      await ok(desk.post('/circulation/return').json({ barcode: barcodes[2] }))

      // Paid in full, the invoiced fine no longer counts.
      await created(
        head.erpPost('/payments').json({ invoice_id: invoiceId, amount: 200, method: 'cash' })
      )
      await blockOver(1)
      await created(issue(school, barcodes[2], { student_id: pupil.id }))
      await ok(desk.post('/circulation/return').json({ barcode: barcodes[2] }))
    } finally {
      await blockOver(0)
    }
  })

  test('fines owed to the library block a staff borrower until they are settled', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const desk = as(school, 'librarian')
    const { barcodes } = await newTitle(school, 2)
    const user = await school.addPerson(`reader-${shelf}`, 'Teacher')
    const late = await created(issue(school, barcodes[0], { user_id: user.id }))
    await backDate(school, late.id, 2)
    const back = await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    // Teachers: 50 a day, owed to the library (no ERP invoice).
    assert.deepEqual([back.fine_total, back.fines[0].status], [100, 'owed'])
    await blockBorrowingOver(school, 99)
    try {
      const refusal = await refused(
        issue(school, barcodes[1], { user_id: user.id }),
        409,
        'ERR_LIBRARY_FINES_OUTSTANDING'
      )
      assert.include(refusal.message, 'has 100 in unpaid fines')
      await ok(desk.post(`/fines/${back.fines[0].id}/settle`).json({ note: 'Paid in cash' }))
      await created(issue(school, barcodes[1], { user_id: user.id }))
      await ok(desk.post('/circulation/return').json({ barcode: barcodes[1] }))
    } finally {
      await blockBorrowingOver(school, 0)
    }
  })
})

test.group('Library: reservations', () => {
  test('the queue of a title is first come, first served, and a hold is kept for its member', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { title, barcodes } = await newTitle(school, 1)
    const desk = as(school, 'librarian')
    await created(issue(school, barcodes[0], { student_id: school.s3 }))
    const first = await created(
      as(school, 'student').post('/reservations').json({ title_id: title.id })
    )
    const second = await created(
      as(school, 'student2').post('/reservations').json({ title_id: title.id })
    )
    assert.deepEqual(
      [first.status, first.student_id, second.student_id],
      ['waiting', school.s1, school.s2]
    )
    await refused(
      as(school, 'parent')
        .post('/reservations')
        .json({ title_id: title.id, student_id: school.s1 }),
      409,
      'ERR_LIBRARY_ALREADY_RESERVED'
    )
    await refused(
      as(school, 'parent')
        .post('/reservations')
        .json({ title_id: title.id, student_id: school.s2 }),
      404,
      'ERR_LIBRARY_NOT_FOUND'
    )
    await refused(
      desk.post('/circulation/renew').json({ barcode: barcodes[0] }),
      409,
      'ERR_LIBRARY_TITLE_RESERVED'
    )

    const back = await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    assert.equal(back.held_for_reservation, first.id)
    const told = await inboxWith(school, 'student', `"${title.title}" is waiting for you`)
    assert.isTrue(told.some((body) => body.includes(`"${title.title}" is waiting for you`)))
    const [ready] = await ok(
      as(school, 'student').get(`/reservations?filter[title_id]=${title.id}`)
    )
    assert.deepEqual([ready.status, ready.hold_until], ['ready', addDays(todayOf(school), 3)])
    await refused(
      issue(school, barcodes[0], { student_id: school.s2 }),
      409,
      'ERR_LIBRARY_RESERVATION_HELD'
    )
    await created(issue(school, barcodes[0], { student_id: school.s1 }))
    const queue = await ok(desk.get(`/reservations?filter[title_id]=${title.id}&sort=id`))
    assert.deepEqual(
      queue.map((r: any) => r.status),
      ['fulfilled', 'waiting']
    )
    await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    const [held] = await ok(as(school, 'student2').get(`/reservations?filter[status]=ready`))
    assert.equal(held.id, second.id)

    // Leaving the queue puts the held copy back on the shelf; a closed reservation stays closed.
    await refused(
      as(school, 'student').post(`/reservations/${second.id}/cancel`),
      404,
      'ERR_LIBRARY_NOT_FOUND'
    )
    const cancelled = await ok(as(school, 'student2').post(`/reservations/${second.id}/cancel`))
    assert.equal(cancelled.status, 'cancelled')
    await refused(
      as(school, 'student2').post(`/reservations/${second.id}/cancel`),
      409,
      'ERR_LIBRARY_RESERVATION_CLOSED'
    )
    const [copy] = await ok(desk.get(`/copies?filter[barcode]=${barcodes[0]}`))
    assert.equal(copy.status, 'available')
  })
})

test.group('Library: who sees what', () => {
  test('students see their own loans, a parent their child’s, a teacher their own', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 3)
    const own = await created(issue(school, barcodes[0], { student_id: school.s1 }))
    const other = await created(issue(school, barcodes[1], { student_id: school.s2 }))
    const staff = await created(issue(school, barcodes[2], { user_id: school.people.teacher.id }))
    const ids = (rows: any[]) => rows.map((row) => row.id)
    const visible = async (who: Who) =>
      ids(await ok(as(school, who).get(`/loans?filter[id][in]=${own.id},${other.id},${staff.id}`)))
    assert.deepEqual(await visible('student'), [own.id])
    assert.deepEqual(await visible('parent'), [own.id])
    assert.deepEqual(await visible('student2'), [other.id])
    assert.deepEqual(await visible('teacher'), [staff.id])
    assert.sameMembers(await visible('librarian'), [own.id, other.id, staff.id])
    await refused(as(school, 'student2').get(`/loans/${own.id}`), 404, 'ERR_RECORD_NOT_FOUND')

    // The overdue report is the librarian's.
    await backDate(school, other.id, 3)
    const report = await ok(as(school, 'librarian').get('/reports/overdue'))
    const line = report.loans.find((l: any) => l.loan_id === other.id)
    assert.deepEqual([line.days_overdue, line.fine_accrued, line.student_id], [3, 300, school.s2])
    await refused(as(school, 'student').get('/reports/overdue'), 403, 'ERR_FORBIDDEN')

    // Calendars show the due date to the borrower and to the guardian.
    const from = new Date(Date.now() - 86_400_000).toISOString()
    const to = new Date(Date.now() + 40 * 86_400_000).toISOString()
    for (const who of ['student', 'parent'] as const) {
      const entries = await school.run(() =>
        libraryCalendar({ userId: school.people[who].id, from, to })
      )
      assert.deepInclude(
        entries.map((entry) => [entry.uid, entry.starts_at, entry.all_day]),
        [`loan-${own.id}-due`, own.due_on, true] as any
      )
      assert.notInclude(
        entries.map((entry) => entry.uid),
        `loan-${other.id}-due`
      )
    }
    for (const barcode of barcodes)
      await ok(as(school, 'librarian').post('/circulation/return').json({ barcode }))
  })
})

test.group('Library: reminders, settings and demo data', () => {
  test('the sweep announces due-soon and overdue loans once and notifies the borrower', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 2)
    const soon = await created(issue(school, barcodes[0], { student_id: school.s1 }))
    const overdue = await created(issue(school, barcodes[1], { student_id: school.s1 }))
    await school.db(async (trx) => {
      await trx
        .from('library_loans')
        .where('id', soon.id)
        .update({ due_on: addDays(tenantToday(), 1) })
      await trx
        .from('library_loans')
        .where('id', overdue.id)
        .update({ due_on: addDays(tenantToday(), -2) })
    })
    const swept = await school.run(() => sweepLoans())
    assert.isAtLeast(swept.due_soon, 1)
    assert.isAtLeast(swept.overdue, 1)
    const again = await school.run(() => sweepLoans())
    assert.deepEqual([again.due_soon, again.overdue], [0, 0])

    const tomorrow = addDays(todayOf(school), 1)
    const overdueNotes = await inboxWith(school, 'student', 'is 2 day(s) overdue')
    assert.isTrue(overdueNotes.some((body) => body.includes('is 2 day(s) overdue')))
    const dueNotes = await inboxWith(school, 'student', `due back at the library on ${tomorrow}`)
    assert.isTrue(dueNotes.some((body) => body.includes(`due back at the library on ${tomorrow}`)))
    for (const barcode of barcodes)
      await ok(as(school, 'librarian').post('/circulation/return').json({ barcode }))
  })

  test('an uncollected hold expires and the copy goes to the next member in the queue', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const { title, barcodes } = await newTitle(school, 1)
    const desk = as(school, 'librarian')
    await created(issue(school, barcodes[0], { student_id: school.s3 }))
    const first = await created(
      as(school, 'student').post('/reservations').json({ title_id: title.id })
    )
    const second = await created(
      as(school, 'student2').post('/reservations').json({ title_id: title.id })
    )
    await ok(desk.post('/circulation/return').json({ barcode: barcodes[0] }))
    await school.db((trx) =>
      trx
        .from('library_reservations')
        .where('id', first.id)
        .update({ hold_until: addDays(tenantToday(), -1) })
    )
    const swept = await school.run(() => sweepLoans())
    assert.isAtLeast(swept.holds_expired, 1)
    const queue = await ok(desk.get(`/reservations?filter[title_id]=${title.id}&sort=id`))
    assert.deepEqual(
      queue.map((r: any) => [r.id, r.status]),
      [
        [first.id, 'expired'],
        [second.id, 'ready'],
      ]
    )
    await ok(as(school, 'student2').post(`/reservations/${second.id}/cancel`))

    // A reservation that missed the last copy coming back (set up in SQL) is served by the sweep.
    const { title: other, barcodes: shelved } = await newTitle(school, 1)
    const missed = await school.db(async (trx) => {
      const member = await trx.from('library_members').where('student_id', school.s1).first()
      const [row] = await trx
        .insertQuery()
        .table('library_reservations')
        .insert({
          title_id: other.id,
          member_id: member.id,
          student_id: school.s1,
          status: 'waiting',
        })
        .returning('id')
      return String(row.id)
    })
    const served = await school.run(() => sweepLoans())
    assert.isAtLeast(served.copies_held, 1)
    const [ready] = await ok(
      as(school, 'student').get(`/reservations?filter[title_id]=${other.id}`)
    )
    const [shelvedCopy] = await ok(desk.get(`/copies?filter[barcode]=${shelved[0]}`))
    assert.deepEqual([ready.id, ready.status, ready.copy_id], [missed, 'ready', shelvedCopy.id])
    await ok(as(school, 'student').post(`/reservations/${missed}/cancel`))
  })

  test('a personal-data export carries the user’s library records', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const { barcodes } = await newTitle(school, 1)
    const loan = await created(issue(school, barcodes[0], { student_id: school.s2 }))
    const archive = await ok(
      school.as('head').get(`/admin/users/${school.people.student2.id}/export`)
    )
    const library = archive.plugins.library
    assert.deepEqual(
      library.members.map((m: any) => String(m.student_id)),
      [school.s2]
    )
    assert.include(
      library.loans.map((l: any) => String(l.id)),
      loan.id
    )
    const others = await ok(
      school.as('head').get(`/admin/users/${school.people.student3.id}/export`)
    )
    assert.notInclude(
      others.plugins.library.loans.map((l: any) => String(l.id)),
      loan.id
    )
    await ok(as(school, 'librarian').post('/circulation/return').json({ barcode: barcodes[0] }))
  })

  test('card rules need a role or a class; settings are validated', async ({ client }) => {
    const school = await schoolFor(client)
    const head = as(school, 'head')
    const rule = {
      name: 'Nobody',
      max_loans: 1,
      loan_days: 7,
      renewals_allowed: 0,
      fine_per_day: 0,
      fine_cap: 0,
    }
    await refused(head.post('/card_rules').json(rule), 400, 'ERR_VALIDATION')
    await refused(head.post('/card_rules').json({ ...rule, role: 'Student' }), 409, 'ERR_CONFLICT')
    await refused(
      school.as('head').patch('/admin/plugins/library/settings').json({
        hold_days: 0,
      }),
      400,
      'ERR_VALIDATION'
    )
    await refused(
      as(school, 'librarian').post('/reservations/abc/cancel'),
      404,
      'ERR_LIBRARY_NOT_FOUND'
    )
  })

  test('the demo seed catalogues books and lends them to the first demo students', async ({
    client,
    assert,
  }) => {
    const school = await openSchool(client, {
      people: { student1: 'Student', student2: 'Student', student3: 'Student' },
    })
    await ok(
      school
        .as('platform')
        .post(`/platform/tenants/${school.tenant.slug}/plugins/library/enable`)
        .json({})
    )
    const people = [school.people.student1, school.people.student2, school.people.student3]
    for (const [i, person] of people.entries())
      await created(
        school
          .as('platform')
          .post('/erp/students')
          .json({
            enrollment_no: `D-${i + 1}`,
            first_name: 'Demo',
            last_name: String(i + 1),
            user_id: person.id,
          })
      )
    const seeded = await school.db((trx) =>
      seedLibraryDemo(trx, { teachers: [], students: people, parents: [] })
    )
    assert.deepEqual(seeded, { titles: 8, copies: 19, loans: 3 })
    const loans = await school.as('student1').get('/library/loans?filter[status]=open')
    assert.lengthOf(loans.body().data, 1)
    const reservations = await school.as('student1').get('/library/reservations')
    assert.deepEqual(
      reservations.body().data.map((r: any) => r.status),
      ['waiting']
    )
  })
})
