import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { DateTime } from 'luxon'
import { extractText, getDocumentProxy } from 'unpdf'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import { createInvoice } from '#plugins/erp/index'
import {
  api,
  created,
  fetchBytes,
  openSchool,
  type School,
  type Who,
} from '#tests/support/reports_school'

/*
 * PDF documents of the ERP and the LMS, rendered with pdfkit and read back
 * with unpdf: names, amounts in the tenant's currency and locale (EUR in
 * de-DE: "1.234,56 €"), dates as the tenant writes them, and the access of the
 * record each document is about.
 */

const SETTINGS = { locale: 'de-DE', currency: 'EUR', time_zone: 'Europe/Berlin' }

async function pdfOf(school: School, who: Who, path: string) {
  const response = await fetchBytes(`/api/v1/documents/${path}`, {
    'x-tenant-id': school.tenant.slug,
    'authorization': `Bearer ${school.tokens[who]}`,
  })
  return response
}

async function textOf(bytes: Buffer) {
  const pdf = await getDocumentProxy(new Uint8Array(bytes))
  const { text } = await extractText(pdf, { mergePages: true })
  return text.replace(/\s+/g, ' ')
}

async function errorOf(school: School, who: Who, path: string) {
  const response = await pdfOf(school, who, path)
  return { status: response.status, code: JSON.parse(response.body.toString()).error?.code }
}

/** Today as the tenant (Berlin, German) writes it. */
const todayInBerlin = () =>
  DateTime.now().setZone('Europe/Berlin').setLocale('de-DE').toLocaleString(DateTime.DATE_FULL)

test.group('Documents', () => {
  let opening: Promise<{ school: School; invoice: any; payment: any }> | undefined

  /** The school, with an invoice of Amara's (1.234,56 €) of which 1.000,00 € is paid. */
  const ready = (client: ApiClient) =>
    (opening ??= (async () => {
      const school = await openSchool(client, { settings: SETTINGS })
      const invoice = await tenantContext.run(school.tenant, () =>
        withTenantDb((trx) =>
          createInvoice(trx, {
            student_id: school.students.s1,
            lines: [
              { description: 'Tuition, spring term', amount: 100_000 },
              { description: 'Laboratory fee', amount: 23_456 },
            ],
            issued_on: '2026-03-05',
            due_on: '2026-04-01',
          })
        )
      )
      const payment = await created(
        api(client, school, 'staff', 'post', '/erp/payments').json({
          invoice_id: String(invoice.id),
          amount: 100_000,
          method: 'bank_transfer',
          reference: 'SEPA-4711',
          paid_on: '2026-03-10',
        })
      )
      return { school, invoice, payment }
    })())

  test('the fee receipt shows the student, the amount in euros as Germans write it, and the dates', async ({
    client,
    assert,
  }) => {
    const { school, payment } = await ready(client)
    const response = await pdfOf(school, 'parent', `erp.fee_receipt/${payment.id}`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/pdf')
    assert.include(
      response.headers.get('content-disposition')!,
      `receipt-${payment.receipt_no}.pdf`
    )
    const text = await textOf(response.body)
    assert.include(text, `School ${school.tenant.slug}`)
    assert.include(text, payment.receipt_no)
    assert.include(text, 'Amara Okafor')
    assert.include(text, 'S-001')
    assert.include(text, '1.000,00 €')
    assert.include(text, '234,56 €')
    assert.include(text, '10. März 2026')
    assert.include(text, 'SEPA-4711')
    assert.include(text, todayInBerlin())
  })

  test('the invoice lists its lines, totals, due date and payments', async ({ client, assert }) => {
    const { school, invoice, payment } = await ready(client)
    const response = await pdfOf(school, 'student', `erp.invoice/${invoice.id}`)
    assert.equal(response.status, 200)
    const text = await textOf(response.body)
    assert.include(text, invoice.number)
    assert.include(text, 'Tuition, spring term')
    assert.include(text, 'Laboratory fee')
    assert.include(text, '1.234,56 €')
    assert.include(text, '234,56 €')
    assert.include(text, '5. März 2026')
    assert.include(text, '1. April 2026')
    assert.include(text, payment.receipt_no)
  })

  test('the admission letter tells the guardian the decision', async ({ client, assert }) => {
    const { school } = await ready(client)
    const admin = (method: 'post', path: string) =>
      api(client, school, 'admin', method, `/erp${path}`)
    const campaign = await created(
      admin('post', '/admission_campaigns').json({
        name: 'Intake 2026',
        class_id: school.classId,
        seats: 30,
        opens_on: '2026-01-10',
        closes_on: '2026-06-30',
      })
    )
    const applicant = await created(
      admin('post', '/applicants').json({
        campaign_id: campaign.id,
        first_name: 'Lena',
        last_name: 'Fischer',
        guardian_name: 'Jonas Fischer',
        guardian_email: 'jonas@example.org',
      })
    )
    for (const to of ['submitted', 'under_review', 'accepted'])
      (await admin('post', `/applicants/${applicant.id}/transition`).json({ to })).assertStatus(200)

    const response = await pdfOf(school, 'staff', `erp.admission_letter/${applicant.id}`)
    assert.equal(response.status, 200)
    const text = await textOf(response.body)
    assert.include(text, 'Dear Jonas Fischer')
    assert.include(text, 'pleased to offer Lena Fischer a place in Grade 7 (Intake 2026)')
    assert.include(text, todayInBerlin())

    // Teachers do not read applicants: no letter either.
    assert.deepEqual(await errorOf(school, 'teacher', `erp.admission_letter/${applicant.id}`), {
      status: 403,
      code: 'ERR_FORBIDDEN',
    })
  })

  test("the LMS report card shows released grades, to the student's parent and nobody else's", async ({
    client,
    assert,
  }) => {
    const { school } = await ready(client)
    const as = (who: Who, path: string) => api(client, school, who, 'post', path)
    const teacher = await created(
      as('admin', '/erp/teachers').json({
        employee_no: 'T-9',
        name: 'Ada Lovelace',
        user_id: school.users.teacher,
      })
    )
    const course = await created(
      as('admin', '/lms/courses').json({
        code: 'MATH7',
        title: 'Mathematik 7',
        teacher_id: teacher.id,
        credits: 4,
        status: 'active',
      })
    )
    ;(
      await as('teacher', `/lms/courses/${course.id}/enrol-section`).json({
        section_id: school.sectionId,
      })
    ).assertStatus(200)
    const assignment = await created(
      as('teacher', '/lms/assignments').json({
        course_id: course.id,
        title: 'Fractions',
        max_points: 10,
        due_at: new Date(Date.now() + 86_400_000).toISOString(),
        status: 'published',
      })
    )
    const submission = await created(
      as('student', `/lms/assignments/${assignment.id}/submissions`).json({
        text: '3/4',
        submit: true,
      })
    )
    ;(
      await as('teacher', `/lms/submissions/${submission.id}/grade`).json({ points: 8.5 })
    ).assertStatus(200)

    const before = await textOf(
      (await pdfOf(school, 'parent', `lms.report_card/${school.students.s1}`)).body
    )
    assert.include(before, 'Mathematik 7')
    assert.include(before, 'not graded')

    ;(await as('teacher', `/lms/assignments/${assignment.id}/release`).json({})).assertStatus(200)
    const response = await pdfOf(school, 'parent', `lms.report_card/${school.students.s1}`)
    assert.equal(response.status, 200)
    const text = await textOf(response.body)
    assert.include(text, 'Amara Okafor')
    assert.include(text, 'MATH7')
    assert.include(text, '85,00 %')

    // Another child's card, or the card of a classmate: as if it did not exist.
    assert.deepEqual(await errorOf(school, 'parent', `lms.report_card/${school.students.s2}`), {
      status: 404,
      code: 'ERR_RECORD_NOT_FOUND',
    })
    assert.deepEqual(await errorOf(school, 'student2', `lms.report_card/${school.students.s1}`), {
      status: 404,
      code: 'ERR_RECORD_NOT_FOUND',
    })
  })

  test("unknown documents, unknown records and other people's receipts are refused with stable codes", async ({
    client,
    assert,
  }) => {
    const { school, payment } = await ready(client)
    assert.deepEqual(await errorOf(school, 'admin', `erp.diploma/${payment.id}`), {
      status: 404,
      code: 'ERR_DOCUMENT_UNKNOWN',
    })
    assert.deepEqual(await errorOf(school, 'admin', 'erp.fee_receipt/999999'), {
      status: 404,
      code: 'ERR_RECORD_NOT_FOUND',
    })
    assert.deepEqual(await errorOf(school, 'admin', 'erp.fee_receipt/abc'), {
      status: 404,
      code: 'ERR_RECORD_NOT_FOUND',
    })
    assert.deepEqual(await errorOf(school, 'student2', `erp.fee_receipt/${payment.id}`), {
      status: 404,
      code: 'ERR_RECORD_NOT_FOUND',
    })
    const anonymous = await fetchBytes(`/api/v1/documents/erp.fee_receipt/${payment.id}`, {
      'x-tenant-id': school.tenant.slug,
    })
    assert.equal(anonymous.status, 401)

    const listed = await api(client, school, 'parent', 'get', '/documents')
    listed.assertStatus(200)
    assert.sameMembers(
      listed.body().data.map((document: any) => document.key),
      ['erp.fee_receipt', 'erp.invoice', 'lms.report_card']
    )
  })
})
