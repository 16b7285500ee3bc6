import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@japa/api-client'
import { openSchool, recordEvents, workJobs, type Person, type School } from '@oryne/sdk/testing'

/*
 * The ERP plugin end to end over HTTP, each step made by the role that does it
 * in a school: the admin sets up the structure, staff run admissions and fees,
 * teachers mark attendance and decide leave, parents and students read their own.
 */

type Session = Person & { userId: string }
type ErpSchool = {
  school: School<'admin2' | 'staff' | 'teacher' | 'parent' | 'student' | 'other-parent'>
  tenant: School<never>['tenant']
  admin: Session
  staff: Session
  teacher: Session
  parent: Session
  student: Session
  otherParent: Session
}

/** A request to the ERP API of `s.tenant` as `as`. */
function erp(s: ErpSchool, as: Session, method: 'get' | 'post' | 'patch' | 'delete', path: string) {
  return s.school.as(as)[method](`/erp${path}`)
}

/** A school with the ERP enabled and one person of each role signed in (a second TenantAdmin). */
async function school(client: ApiClient): Promise<ErpSchool> {
  const opened = await openSchool(client, {
    plugins: ['erp'],
    people: {
      'admin2': 'TenantAdmin',
      'staff': 'Staff',
      'teacher': 'Teacher',
      'parent': 'Parent',
      'student': 'Student',
      'other-parent': 'Parent',
    },
  })
  const session = (person: Person): Session => ({ ...person, userId: person.id })
  return {
    school: opened,
    tenant: opened.tenant,
    admin: session(opened.people.admin2),
    staff: session(opened.people.staff),
    teacher: session(opened.people.teacher),
    parent: session(opened.people.parent),
    student: session(opened.people.student),
    otherParent: session(opened.people['other-parent']),
  }
}

async function create(s: ErpSchool, as: Session, resource: string, body: Record<string, unknown>) {
  const response = await erp(s, as, 'post', `/${resource}`).json(body)
  if (response.status() !== 201)
    throw new Error(`${resource}: ${response.status()} ${JSON.stringify(response.body())}`)
  return response.body().data
}

/** Classes, sections and a term the other steps build on. */
async function structure(s: ErpSchool) {
  const year = await create(s, s.admin, 'academic_years', {
    name: '2026-27',
    starts_on: '2026-08-01',
    ends_on: '2027-06-30',
  })
  const term = await create(s, s.admin, 'terms', {
    academic_year_id: year.id,
    name: 'Term 1',
    starts_on: '2026-08-01',
    ends_on: '2026-12-20',
  })
  const grade5 = await create(s, s.admin, 'classes', { name: 'Grade 5', grade_level: 5 })
  const sectionA = await create(s, s.admin, 'sections', {
    class_id: grade5.id,
    name: 'A',
    capacity: 30,
  })
  return { year, term, grade5, sectionA }
}

test.group('ERP plugin', (group) => {
  group.each.timeout(60_000)

  test('admissions: applicants move through the workflow; enrolment creates student, users and guardian link', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const { year, grade5, sectionA } = await structure(s)
    const campaign = await create(s, s.staff, 'admission_campaigns', {
      name: 'Grade 5 intake',
      academic_year_id: year.id,
      class_id: grade5.id,
      seats: 2,
      opens_on: '2026-03-01',
      closes_on: '2026-06-30',
    })
    const applicant = await create(s, s.staff, 'applicants', {
      campaign_id: campaign.id,
      first_name: 'Ada',
      last_name: 'Byron',
      guardian_name: 'Anne Byron',
      guardian_email: `anne@${s.tenant.slug}.example`,
    })
    assert.equal(applicant.status, 'draft')

    // Status is not writable directly, and a jump in the workflow is refused.
    const direct = await erp(s, s.staff, 'patch', `/applicants/${applicant.id}`).json({
      status: 'accepted',
    })
    direct.assertStatus(400)
    const jump = await erp(s, s.staff, 'post', `/applicants/${applicant.id}/transition`).json({
      to: 'accepted',
    })
    jump.assertStatus(409)
    assert.equal(jump.body().error.code, 'ERR_ERP_INVALID_TRANSITION')
    const early = await erp(s, s.staff, 'post', `/applicants/${applicant.id}/enrol`).json({})
    early.assertStatus(409)

    for (const to of ['submitted', 'under_review', 'accepted']) {
      const moved = await erp(s, s.staff, 'post', `/applicants/${applicant.id}/transition`).json({
        to,
      })
      moved.assertStatus(200)
      assert.equal(moved.body().data.status, to)
    }
    // A teacher may not enrol.
    const denied = await erp(s, s.teacher, 'post', `/applicants/${applicant.id}/enrol`).json({})
    denied.assertStatus(403)

    const enrolled = await erp(s, s.staff, 'post', `/applicants/${applicant.id}/enrol`).json({
      section_id: sectionA.id,
      student_email: `ada@${s.tenant.slug}.example`,
    })
    enrolled.assertStatus(201)
    const student = enrolled.body().data.student
    assert.equal(enrolled.header('location'), `/api/v1/erp/students/${student.id}`)
    assert.match(student.enrollment_no, /^ENR-\d{4}-00001$/)
    // A DATE column is a day (docs/api.md, "Dates"), the same in the action's answer as in the record.
    assert.match(student.admitted_on, /^\d{4}-\d{2}-\d{2}$/)
    const stored = await erp(s, s.staff, 'get', `/students/${student.id}`)
    assert.equal(stored.body().data.admitted_on, student.admitted_on)
    assert.equal(String(student.section_id), String(sectionA.id))

    const guardians = await erp(
      s,
      s.staff,
      'get',
      `/guardians?filter[student_id][eq]=${student.id}`
    )
    guardians.assertStatus(200)
    assert.lengthOf(guardians.body().data, 1)
    assert.equal(guardians.body().data[0].email, `anne@${s.tenant.slug}.example`)
    assert.isNotNull(guardians.body().data[0].user_id)

    const again = await erp(s, s.staff, 'post', `/applicants/${applicant.id}/enrol`).json({})
    again.assertStatus(409)
    const seats = await erp(s, s.staff, 'get', `/admission_campaigns/${campaign.id}`)
    assert.equal(seats.body().data.enrolled, 1)
  })

  test('concurrent enrolments never oversubscribe a campaign', async ({ client, assert }) => {
    const s = await school(client)
    const { grade5 } = await structure(s)
    const campaign = await create(s, s.staff, 'admission_campaigns', {
      name: 'Last seats',
      class_id: grade5.id,
      seats: 2,
      opens_on: '2026-03-01',
      closes_on: '2026-06-30',
    })
    const applicants: any[] = []
    for (let i = 0; i < 6; i++) {
      const applicant = await create(s, s.staff, 'applicants', {
        campaign_id: campaign.id,
        first_name: `Kid${i}`,
        last_name: 'Race',
        guardian_name: `Parent ${i}`,
        guardian_email: `race${i}@${s.tenant.slug}.example`,
      })
      for (const to of ['submitted', 'under_review', 'accepted']) {
        await erp(s, s.staff, 'post', `/applicants/${applicant.id}/transition`).json({ to })
      }
      applicants.push(applicant)
    }
    const results = await Promise.all(
      applicants.map((applicant) =>
        erp(s, s.staff, 'post', `/applicants/${applicant.id}/enrol`).json({})
      )
    )
    const statuses = results.map((r) => r.status()).sort()
    assert.deepEqual(statuses, [201, 201, 409, 409, 409, 409])
    for (const refused of results.filter((r) => r.status() === 409)) {
      assert.equal(refused.body().error.code, 'ERR_ERP_SEATS_FULL')
    }
    const students = await erp(s, s.staff, 'get', '/students')
    assert.lengthOf(students.body().data, 2)
  })

  test('fees: a schedule invoices every student with discounts; payments get gapless receipts; refunds; outstanding report', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const { term, grade5, sectionA } = await structure(s)
    const students: any[] = []
    for (let i = 0; i < 8; i++) {
      students.push(
        await create(s, s.staff, 'students', {
          enrollment_no: `F-${i}`,
          first_name: `Pay${i}`,
          last_name: 'Fees',
          class_id: grade5.id,
          section_id: sectionA.id,
        })
      )
    }
    const tuition = await create(s, s.staff, 'fee_categories', { name: 'Tuition' })
    const trips = await create(s, s.staff, 'fee_categories', { name: 'Trips' })
    const structureRow = await create(s, s.staff, 'fee_structures', {
      name: 'Grade 5 T1',
      class_id: grade5.id,
      term_id: term.id,
    })
    await create(s, s.staff, 'fee_components', {
      structure_id: structureRow.id,
      category_id: tuition.id,
      amount: 100000,
    })
    await create(s, s.staff, 'fee_components', {
      structure_id: structureRow.id,
      category_id: trips.id,
      amount: 2550,
    })
    await create(s, s.staff, 'fee_discounts', {
      student_id: students[0].id,
      category_id: tuition.id,
      percent: 50,
    })
    const schedule = await create(s, s.staff, 'fee_schedules', {
      structure_id: structureRow.id,
      name: 'T1 fees',
      issued_on: '2026-08-01',
      due_on: '2026-08-31',
      late_fine_per_day: 100,
      late_fine_cap: 1000,
    })
    const generated = await erp(s, s.staff, 'post', `/fee_schedules/${schedule.id}/generate`).json(
      {}
    )
    generated.assertStatus(201)
    assert.equal(generated.body().data.invoices, 8)
    const twice = await erp(s, s.staff, 'post', `/fee_schedules/${schedule.id}/generate`).json({})
    twice.assertStatus(409)
    assert.equal(twice.body().error.code, 'ERR_ERP_SCHEDULE_GENERATED')

    const invoices = (await erp(s, s.staff, 'get', '/invoices?sort=number&per_page=100')).body()
      .data
    assert.lengthOf(invoices, 8)
    assert.deepEqual(
      invoices.map((i: any) => i.number),
      Array.from({ length: 8 }, (_, i) => `INV-${String(i + 1).padStart(6, '0')}`)
    )
    const discounted = invoices.find((i: any) => String(i.student_id) === String(students[0].id))
    assert.equal(discounted.amount, 102550)
    assert.equal(discounted.discount, 50000)

    // Overdue by now (the due date is in 2026-08): the first payment charges the capped late fine.
    const first = await create(s, s.staff, 'payments', {
      invoice_id: discounted.id,
      amount: 20000,
      method: 'cash',
    })
    assert.equal(first.receipt_no, 'RCT-000001')
    const after = (await erp(s, s.staff, 'get', `/invoices/${discounted.id}`)).body().data
    assert.equal(after.status, 'partially_paid')
    assert.equal(after.fine, 1000)
    const owed = 102550 - 50000 + 1000 - 20000
    const over = await erp(s, s.staff, 'post', '/payments').json({
      invoice_id: discounted.id,
      amount: owed + 1,
      method: 'cash',
    })
    over.assertStatus(409)
    assert.equal(over.body().error.code, 'ERR_ERP_OVERPAYMENT')
    const rest = await create(s, s.staff, 'payments', {
      invoice_id: discounted.id,
      amount: owed,
      method: 'bank_transfer',
    })
    assert.equal(
      (await erp(s, s.staff, 'get', `/invoices/${discounted.id}`)).body().data.status,
      'paid'
    )
    const closed = await erp(s, s.staff, 'post', '/payments').json({
      invoice_id: discounted.id,
      amount: 1,
      method: 'cash',
    })
    assert.equal(closed.body().error.code, 'ERR_ERP_INVOICE_CLOSED')

    // Seven payments at once: receipts 3..9, no gap, no duplicate.
    const others = invoices.filter((i: any) => i.id !== discounted.id)
    const concurrent = await Promise.all(
      others.map((invoice: any) =>
        erp(s, s.staff, 'post', '/payments').json({
          invoice_id: invoice.id,
          amount: 5000,
          method: 'cash',
        })
      )
    )
    concurrent.forEach((r) => r.assertStatus(201))
    assert.deepEqual(
      concurrent.map((r) => r.body().data.receipt_no).sort(),
      Array.from({ length: 7 }, (_, i) => `RCT-${String(i + 3).padStart(6, '0')}`)
    )

    const refund = await erp(s, s.staff, 'post', '/refunds').json({
      payment_id: rest.id,
      amount: 500,
      reason: 'Trip cancelled',
    })
    refund.assertStatus(201)
    const tooMuch = await erp(s, s.staff, 'post', '/refunds').json({
      payment_id: rest.id,
      amount: owed,
      reason: 'again',
    })
    assert.equal(tooMuch.body().error.code, 'ERR_ERP_OVER_REFUND')
    assert.equal(
      (await erp(s, s.staff, 'get', `/invoices/${discounted.id}`)).body().data.status,
      'partially_paid'
    )

    const report = await erp(s, s.staff, 'get', `/reports/outstanding?class_id=${grade5.id}`)
    report.assertStatus(200)
    const rows = report.body().data.students
    assert.lengthOf(rows, 8)
    const firstRow = rows.find((r: any) => r.student_id === String(students[0].id))
    assert.equal(firstRow.balance, 500)
    // Unpaid invoices accrue the capped fine in the report.
    assert.equal(rows.find((r: any) => r.student_id === String(students[1].id)).fine_accrued, 1000)
    const studentDenied = await erp(s, s.student, 'get', '/reports/outstanding')
    studentDenied.assertStatus(403)
  })

  test('credits: an admin credits the ERP’s own invoices; balance and status follow; over-credits are refused', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const credited = recordEvents('erp.invoice.credited', s.tenant)
    const { term, grade5, sectionA } = await structure(s)
    const students: any[] = []
    for (let i = 0; i < 3; i++) {
      students.push(
        await create(s, s.staff, 'students', {
          enrollment_no: `C-${i}`,
          first_name: `Credit${i}`,
          last_name: 'Fees',
          class_id: grade5.id,
          section_id: sectionA.id,
        })
      )
    }
    const tuition = await create(s, s.staff, 'fee_categories', { name: 'Tuition' })
    const structureRow = await create(s, s.staff, 'fee_structures', {
      name: 'Grade 5 T1',
      class_id: grade5.id,
      term_id: term.id,
    })
    await create(s, s.staff, 'fee_components', {
      structure_id: structureRow.id,
      category_id: tuition.id,
      amount: 10000,
    })
    const schedule = await create(s, s.staff, 'fee_schedules', {
      structure_id: structureRow.id,
      name: 'T1 fees',
      issued_on: '2026-08-01',
      due_on: '2026-08-31',
    })
    ;(
      await erp(s, s.staff, 'post', `/fee_schedules/${schedule.id}/generate`).json({})
    ).assertStatus(201)
    const invoiceOf = async (student: any) =>
      (await erp(s, s.admin, 'get', `/invoices?filter[student_id]=${student.id}`)).body().data[0]
    const [unpaid, partly, paid] = await Promise.all(students.map(invoiceOf))
    const creditOn = (invoice: any, body: object, as = s.admin) =>
      erp(s, as, 'post', `/invoices/${invoice.id}/credits`).json(body)
    const balance = (invoice: any) =>
      invoice.amount - invoice.discount + invoice.fine - invoice.paid + invoice.refunded

    // Staff take payments and refunds; crediting is for admins.
    const staffCredit = await creditOn(unpaid, { amount: 100, reason: 'Sibling' }, s.staff)
    staffCredit.assertStatus(403)

    // A partial credit of an unpaid invoice: a credit line, the amount and the report follow.
    const first = await creditOn(unpaid, { amount: 2500, reason: 'Sibling waiver' })
    first.assertStatus(201)
    assert.equal(
      first.header('location'),
      `/api/v1/erp/invoice_lines/${first.body().data.credit.id}`
    )
    assert.deepInclude(first.body().data.invoice, { amount: 7500, status: 'open' })
    assert.equal(balance(first.body().data.invoice), 7500)
    const lines = (
      await erp(s, s.admin, 'get', `/invoice_lines?filter[invoice_id]=${unpaid.id}&sort=id`)
    ).body().data
    assert.deepEqual(
      lines.map((line: any) => [line.description, line.amount]),
      [
        ['Tuition', 10000],
        ['Credit: Sibling waiver', -2500],
      ]
    )
    const report = (
      await erp(s, s.staff, 'get', `/reports/outstanding?class_id=${grade5.id}`)
    ).body().data
    assert.equal(
      report.students.find((r: any) => r.student_id === String(students[0].id)).balance,
      7500
    )
    // Crediting all that is unpaid of an unpaid invoice cancels it: it takes no payment, no more credit.
    const tooMuch = await creditOn(unpaid, { amount: 7501, reason: 'All' })
    tooMuch.assertStatus(409)
    assert.equal(tooMuch.body().error.code, 'ERR_ERP_OVER_CREDIT')
    const rest = await creditOn(unpaid, { amount: 7500, reason: 'Scholarship' })
    rest.assertStatus(201)
    assert.deepInclude(rest.body().data.invoice, { amount: 0, status: 'cancelled' })
    const closed = await erp(s, s.staff, 'post', '/payments').json({
      invoice_id: unpaid.id,
      amount: 1,
      method: 'cash',
    })
    assert.equal(closed.body().error.code, 'ERR_ERP_INVOICE_CLOSED')
    assert.equal(
      (await creditOn(unpaid, { amount: 1, reason: 'Again' })).body().error.code,
      'ERR_ERP_OVER_CREDIT'
    )

    // Partly paid: only the unpaid part can be credited, and crediting it settles the invoice.
    await create(s, s.staff, 'payments', {
      invoice_id: partly.id,
      amount: 4000,
      method: 'cash',
    })
    assert.equal(
      (await creditOn(partly, { amount: 6001, reason: 'Too much' })).body().error.code,
      'ERR_ERP_OVER_CREDIT'
    )
    const settled = await creditOn(partly, { amount: 6000, reason: 'Hardship' })
    settled.assertStatus(201)
    assert.deepInclude(settled.body().data.invoice, { amount: 4000, paid: 4000, status: 'paid' })

    // Paid in full: nothing to credit until part of the payment is refunded.
    const payment = await create(s, s.staff, 'payments', {
      invoice_id: paid.id,
      amount: 10000,
      method: 'cash',
    })
    const overPaid = await creditOn(paid, { amount: 3000, reason: 'Late discount' })
    overPaid.assertStatus(409)
    assert.equal(overPaid.body().error.code, 'ERR_ERP_OVER_CREDIT')
    await create(s, s.staff, 'refunds', {
      payment_id: payment.id,
      amount: 3000,
      reason: 'Late discount',
    })
    const afterRefund = await creditOn(paid, { amount: 3000, reason: 'Late discount' })
    afterRefund.assertStatus(201)
    assert.deepInclude(afterRefund.body().data.invoice, { amount: 7000, status: 'paid' })
    assert.equal(balance(afterRefund.body().data.invoice), 0)

    const bad = await creditOn(paid, { amount: 0, reason: '' })
    bad.assertStatus(400)
    assert.equal(bad.body().error.code, 'ERR_VALIDATION')

    // Each credit is audited and announced.
    const audit = await client
      .get(`/api/v1/admin/audit?resource=erp.invoices&resource_id=${unpaid.id}`)
      .header('x-tenant-id', s.tenant.slug)
      .bearerToken(s.admin.token)
    assert.deepEqual(
      audit
        .body()
        .data.filter((e: any) => e.action === 'erp.invoices.credit')
        .map((e: any) => [e.actor, e.data.source, e.data.amount]),
      [
        [`user:${s.admin.userId}`, 'fees', 7500],
        [`user:${s.admin.userId}`, 'fees', 2500],
      ]
    )
    for (let i = 0; i < 50 && credited.length < 4; i++) await sleep(50)
    assert.deepEqual(
      credited.map((e) => [e.payload.invoice_id, e.payload.amount, e.payload.status]),
      [
        [String(unpaid.id), 2500, 'open'],
        [String(unpaid.id), 7500, 'cancelled'],
        [String(partly.id), 6000, 'paid'],
        [String(paid.id), 3000, 'paid'],
      ]
    )
  })

  test('attendance: bulk marks, summary, threshold; leave approved by a teacher excuses the marks; parents see only their children', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const { grade5, sectionA } = await structure(s)
    const mine = await create(s, s.admin, 'students', {
      enrollment_no: 'A-1',
      first_name: 'Mine',
      last_name: 'Kid',
      class_id: grade5.id,
      section_id: sectionA.id,
      user_id: s.student.userId,
    })
    const other = await create(s, s.admin, 'students', {
      enrollment_no: 'A-2',
      first_name: 'Other',
      last_name: 'Kid',
      class_id: grade5.id,
      section_id: sectionA.id,
    })
    await create(s, s.admin, 'guardians', {
      student_id: mine.id,
      user_id: s.parent.userId,
      name: 'My Parent',
    })
    await create(s, s.admin, 'guardians', {
      student_id: other.id,
      user_id: s.otherParent.userId,
      name: 'Other Parent',
    })

    const days = ['2026-09-07', '2026-09-08', '2026-09-09', '2026-09-10']
    let lastResult: any
    for (const [i, date] of days.entries()) {
      const marked = await erp(s, s.teacher, 'post', '/attendance/bulk').json({
        section_id: sectionA.id,
        date,
        marks: [
          { student_id: mine.id, status: 'present' },
          { student_id: other.id, status: i === 0 ? 'present' : 'absent' },
        ],
      })
      marked.assertStatus(200)
      lastResult = marked.body().data
    }
    // Other's attendance is 25% over the window: under the 75% default threshold.
    assert.deepEqual(lastResult.below_threshold, [String(other.id)])
    // Marking again replaces rather than duplicates.
    await erp(s, s.teacher, 'post', '/attendance/bulk').json({
      section_id: sectionA.id,
      date: days[3],
      marks: [
        { student_id: mine.id, status: 'late' },
        { student_id: other.id, status: 'absent' },
      ],
    })
    const stranger = await erp(s, s.teacher, 'post', '/attendance/bulk').json({
      section_id: sectionA.id,
      date: days[0],
      marks: [{ student_id: '999999', status: 'present' }],
    })
    stranger.assertStatus(422)
    assert.equal(stranger.body().error.code, 'ERR_ERP_NOT_IN_SECTION')
    assert.deepEqual(
      stranger.body().error.details.map((d: any) => d.student_id),
      ['999999']
    )

    const summary = await erp(
      s,
      s.teacher,
      'get',
      `/attendance/summary?from=2026-09-01&to=2026-09-30`
    )
    const byId = Object.fromEntries(summary.body().data.map((r: any) => [r.student_id, r]))
    assert.deepInclude(byId[String(mine.id)], { present: 3, late: 1, percent: 100 })
    assert.deepInclude(byId[String(other.id)], { present: 1, absent: 3, percent: 25 })

    // The parent sees only their child, in the summary and the marks.
    const parentSummary = await erp(
      s,
      s.parent,
      'get',
      `/attendance/summary?from=2026-09-01&to=2026-09-30`
    )
    assert.deepEqual(
      parentSummary.body().data.map((r: any) => r.student_id),
      [String(mine.id)]
    )
    const parentMarks = await erp(s, s.parent, 'get', '/attendance_marks?per_page=100')
    assert.isTrue(
      parentMarks.body().data.every((m: any) => String(m.student_id) === String(mine.id))
    )
    assert.lengthOf(parentMarks.body().data, 4)
    const peek = await erp(s, s.parent, 'get', `/students/${other.id}`)
    peek.assertStatus(404)

    // The other parent applies for leave for their child (not for mine), a teacher approves it.
    const notTheirs = await erp(s, s.otherParent, 'post', '/leave_applications').json({
      student_id: mine.id,
      from_date: '2026-09-08',
      to_date: '2026-09-10',
      reason: 'Not my child',
    })
    notTheirs.assertStatus(404)
    const leave = await create(s, s.otherParent, 'leave_applications', {
      student_id: other.id,
      from_date: '2026-09-08',
      to_date: '2026-09-10',
      reason: 'Flu',
    })
    assert.equal(leave.status, 'pending')
    const studentDecides = await erp(
      s,
      s.student,
      'post',
      `/leave_applications/${leave.id}/approve`
    ).json({})
    studentDecides.assertStatus(403)
    const approved = await erp(
      s,
      s.teacher,
      'post',
      `/leave_applications/${leave.id}/approve`
    ).json({ note: 'Get well' })
    approved.assertStatus(200)
    assert.equal(approved.body().data.marks_excused, 3)
    const decidedTwice = await erp(
      s,
      s.teacher,
      'post',
      `/leave_applications/${leave.id}/reject`
    ).json({})
    assert.equal(decidedTwice.body().error.code, 'ERR_ERP_INVALID_TRANSITION')
    const excused = await erp(
      s,
      s.teacher,
      'get',
      `/attendance/summary?from=2026-09-01&to=2026-09-30&student_id=${other.id}`
    )
    assert.deepInclude(excused.body().data[0], { present: 1, excused: 3, percent: 100 })
  })

  test('timetable: a double-booked teacher, room or section is a 409 naming the clash', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    const { grade5, sectionA } = await structure(s)
    const sectionB = await create(s, s.admin, 'sections', {
      class_id: grade5.id,
      name: 'B',
    })
    const [t1, t2] = [
      await create(s, s.admin, 'teachers', { employee_no: 'T1', name: 'Grace Hopper' }),
      await create(s, s.admin, 'teachers', { employee_no: 'T2', name: 'Alan Turing' }),
    ]
    const room = await create(s, s.admin, 'rooms', { name: 'Lab 1' })
    const period = await create(s, s.admin, 'periods', {
      name: 'First',
      position: 1,
      starts_at: '08:00',
      ends_at: '08:45',
    })
    const maths = await create(s, s.admin, 'subjects', {
      code: 'MATH',
      name: 'Mathematics',
    })
    const slot = await create(s, s.admin, 'timetable_slots', {
      weekday: 1,
      period_id: period.id,
      section_id: sectionA.id,
      teacher_id: t1.id,
      room_id: room.id,
      subject_id: maths.id,
    })

    const teacherClash = await erp(s, s.admin, 'post', '/timetable_slots').json({
      weekday: 1,
      period_id: period.id,
      section_id: sectionB.id,
      teacher_id: t1.id,
      subject_id: maths.id,
    })
    teacherClash.assertStatus(409)
    assert.equal(teacherClash.body().error.code, 'ERR_TIMETABLE_CLASH')
    assert.include(teacherClash.body().error.message, 'teacher Grace Hopper')
    const roomClash = await erp(s, s.admin, 'post', '/timetable_slots').json({
      weekday: 1,
      period_id: period.id,
      section_id: sectionB.id,
      teacher_id: t2.id,
      room_id: room.id,
      subject_id: maths.id,
    })
    assert.include(roomClash.body().error.message, 'room Lab 1')
    const sectionClash = await erp(s, s.admin, 'post', '/timetable_slots').json({
      weekday: 1,
      period_id: period.id,
      section_id: sectionA.id,
      teacher_id: t2.id,
      subject_id: maths.id,
    })
    assert.include(sectionClash.body().error.message, 'section A')
    // Another day is free; moving the slot onto a taken one is refused too.
    const tuesday = await create(s, s.admin, 'timetable_slots', {
      weekday: 2,
      period_id: period.id,
      section_id: sectionB.id,
      teacher_id: t1.id,
      subject_id: maths.id,
    })
    const move = await erp(s, s.admin, 'patch', `/timetable_slots/${tuesday.id}`).json({
      weekday: 1,
    })
    move.assertStatus(409)
    // A substitution on a Monday by a free teacher works; by the slot's own period's busy teacher it does not.
    const sub = await erp(s, s.admin, 'post', '/substitutions').json({
      slot_id: slot.id,
      date: '2026-09-07',
      teacher_id: t2.id,
    })
    sub.assertStatus(201)
    const wrongDay = await erp(s, s.admin, 'post', '/substitutions').json({
      slot_id: slot.id,
      date: '2026-09-08',
      teacher_id: t2.id,
    })
    assert.equal(wrongDay.body().error.code, 'ERR_TIMETABLE_CLASH')
  })

  test('CSV import: a job imports valid rows, reports bad rows by line, and is idempotent on enrollment number', async ({
    client,
    assert,
  }) => {
    const s = await school(client)
    await structure(s)
    await workJobs(['erp'])
    const csv = [
      'enrollment_no,first_name,last_name,date_of_birth,gender,class,section',
      'C-1,Ada,Lovelace,2015-12-10,female,Grade 5,A',
      'C-2,Alan,Turing,2015-06-23,male,Grade 5,',
      ',No,Number,2015-01-01,male,Grade 5,A',
      'C-4,Bad,Date,2015-02-30,female,Grade 5,A',
      'C-5,Bad,Class,2015-01-01,female,Grade 9,A',
      'C-6,Grace,Hopper,,female,,',
    ].join('\n')
    const upload = async () => {
      const response = await erp(s, s.staff, 'post', '/imports/students').file(
        'file',
        Buffer.from(csv),
        { filename: 'students.csv' }
      )
      response.assertStatus(202)
      const id = response.body().data.id
      assert.equal(response.header('location'), `/api/v1/erp/imports/${id}`)
      for (let i = 0; i < 200; i++) {
        const status = await erp(s, s.staff, 'get', `/imports/${id}`)
        if (['completed', 'failed'].includes(status.body().data.status)) return status.body().data
        await sleep(50)
      }
      throw new Error('import did not finish')
    }
    const first = await upload()
    assert.equal(first.status, 'completed')
    assert.equal(first.imported, 3)
    assert.equal(first.failed, 3)
    assert.deepEqual(
      first.errors.map((e: any) => e.line),
      [4, 5, 6]
    )
    assert.include(first.errors[0].reason, 'enrollment_no is required')
    assert.include(first.errors[1].reason, 'date_of_birth')
    assert.include(first.errors[2].reason, 'class "Grade 9"')
    const second = await upload()
    assert.equal(second.imported, 3)
    const students = await erp(s, s.staff, 'get', '/students?per_page=100')
    assert.deepEqual(
      students
        .body()
        .data.map((r: any) => r.enrollment_no)
        .sort(),
      ['C-1', 'C-2', 'C-6']
    )

    // A broken file (an unclosed quote) fails once, clearly, keeping the rows before it.
    const broken = await erp(s, s.staff, 'post', '/imports/students').file(
      'file',
      Buffer.from(
        'enrollment_no,first_name,last_name\nB-1,Ok,Row\nB-2,"Never closed,Row\nB-3,X,Y\n'
      ),
      { filename: 'broken.csv' }
    )
    broken.assertStatus(202)
    let state: any
    for (let i = 0; i < 200; i++) {
      state = (await erp(s, s.staff, 'get', `/imports/${broken.body().data.id}`)).body().data
      if (state.status !== 'queued' && state.status !== 'running') break
      await sleep(50)
    }
    assert.equal(state.status, 'failed')
    assert.equal(state.imported, 1)
    assert.include(state.errors.at(-1).reason, 'malformed CSV')

    const noFile = await erp(s, s.staff, 'post', '/imports/students').json({})
    noFile.assertStatus(400)
    const teacher = await erp(s, s.teacher, 'post', '/imports/students').file(
      'file',
      Buffer.from(csv),
      { filename: 'x.csv' }
    )
    teacher.assertStatus(403)
  })
})
