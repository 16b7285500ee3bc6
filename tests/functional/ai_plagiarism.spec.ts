import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import PDFDocument from 'pdfkit'
import type { Tenant } from '#core/tenancy/types'
import { PASSWORD, createUser } from '#tests/support/auth'
import { PLATFORM_TOKEN, activeTenant } from '#tests/support/tenants'
import { textGenerator } from '#plugins/ai/plagiarism/synthetic_text'

/*
 * Plagiarism end to end: reference documents, synchronous checks with exact
 * offsets, and the report of every handed-in submission (text or file),
 * visible to the course's teacher and the admins only.
 */

const PEOPLE = {
  head: 'TenantAdmin',
  teacher: 'Teacher',
  teacher2: 'Teacher',
  student: 'Student',
  student2: 'Student',
} as const
type Who = keyof typeof PEOPLE

type School = {
  tenant: Tenant
  tokens: Record<Who, string>
  course: string
  course2: string
}

const generator = textGenerator(4242)

function call(
  client: ApiClient,
  school: School,
  who: Who,
  method: 'get' | 'post' | 'delete',
  path: string
) {
  return client[method](`/api/v1${path}`)
    .header('x-tenant-id', school.tenant.slug)
    .bearerToken(school.tokens[who])
}

async function created(request: any) {
  const response = await request
  response.assertStatus(201)
  return response.body().data
}

async function openSchool(client: ApiClient): Promise<School> {
  const tenant = await activeTenant()
  const enabled = await client
    .post(`/api/v1/platform/tenants/${tenant.slug}/plugins/ai/enable`)
    .bearerToken(PLATFORM_TOKEN())
    .json({})
  if (enabled.status() !== 200) throw new Error(JSON.stringify(enabled.body()))
  const tokens = {} as Record<Who, string>
  const users = {} as Record<Who, string>
  for (const [who, role] of Object.entries(PEOPLE) as Array<[Who, string]>) {
    const email = `${who}@${tenant.slug}.example`
    const { user } = await createUser(tenant, { email, role })
    users[who] = user.id
    const login = await client
      .post('/api/v1/auth/login')
      .header('x-tenant-id', tenant.slug)
      .json({ email, password: PASSWORD })
    login.assertStatus(200)
    tokens[who] = login.body().data.access_token
  }
  const school = { tenant, tokens } as School
  const head = (path: string, body: object) =>
    created(call(client, school, 'head', 'post', path).json(body))
  const grade = await head('/erp/classes', { name: 'Grade 11', grade_level: 11 })
  const section = await head('/erp/sections', { class_id: grade.id, name: 'A' })
  const teacher = await head('/erp/teachers', {
    employee_no: 'P-1',
    name: 'Ada',
    user_id: users.teacher,
  })
  const teacher2 = await head('/erp/teachers', {
    employee_no: 'P-2',
    name: 'Bo',
    user_id: users.teacher2,
  })
  for (const [no, who] of [
    ['P-S1', 'student'],
    ['P-S2', 'student2'],
  ] as const)
    await head('/erp/students', {
      enrollment_no: no,
      first_name: 'Pupil',
      last_name: no,
      class_id: grade.id,
      section_id: section.id,
      user_id: users[who],
    })
  const course = await head('/lms/courses', {
    code: 'HIST',
    title: 'History',
    teacher_id: teacher.id,
    status: 'active',
  })
  const course2 = await head('/lms/courses', {
    code: 'GEO',
    title: 'Geography',
    teacher_id: teacher2.id,
    status: 'active',
  })
  for (const id of [course.id, course2.id])
    await head(`/lms/courses/${id}/enrol-section`, { section_id: section.id })
  return { ...school, course: course.id, course2: course2.id }
}

let opened: Promise<School> | undefined
const schoolFor = (client: ApiClient) => (opened ??= openSchool(client))

async function assignment(client: ApiClient, school: School, course = school.course) {
  return created(
    call(client, school, 'head', 'post', '/lms/assignments').json({
      course_id: course,
      title: 'Essay',
      max_points: 10,
      status: 'published',
    })
  )
}

/** Polls until the submission's report exists (the check runs after the hand-in commits). */
async function reportOf(client: ApiClient, school: School, submission: string) {
  for (let i = 0; i < 100; i++) {
    const response = await call(
      client,
      school,
      'head',
      'get',
      `/ai/plagiarism/reports/${submission}`
    )
    if (response.status() === 200) return response.body().data
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`No report for submission ${submission}`)
}

function pdfOf(text: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument()
    const chunks: Buffer[] = []
    doc.on('data', (chunk) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.text(text)
    doc.end()
  })
}

const words = (text: string, from: number, to: number) => text.split(' ').slice(from, to).join(' ')

test.group('AI: plagiarism', () => {
  test('reference documents are added, listed and deleted; bad input is refused', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const text = generator.text(300)
    const document = await created(
      call(client, school, 'teacher', 'post', '/ai/plagiarism/documents').json({
        external_id: 'isbn:1',
        title: 'A book',
        text,
      })
    )
    assert.include(document, { external_id: 'isbn:1', title: 'A book', words: 300 })
    const again = await call(client, school, 'head', 'post', '/ai/plagiarism/documents').json({
      external_id: 'isbn:1',
      title: 'B',
      text,
    })
    again.assertStatus(409)
    assert.equal(again.body().error.code, 'ERR_AI_DOCUMENT_EXISTS')
    for (const body of [
      {},
      { external_id: 'x y', title: 't', text: 'a' },
      { external_id: 'ok', title: '', text: 'a' },
    ]) {
      const bad = await call(client, school, 'head', 'post', '/ai/plagiarism/documents').json(body)
      bad.assertStatus(400)
      assert.equal(bad.body().error.code, 'ERR_VALIDATION')
    }
    const listed = await call(client, school, 'head', 'get', '/ai/plagiarism/documents')
    listed.assertStatus(200)
    assert.include(
      listed.body().data.map((d: { id: string }) => d.id),
      document.id
    )
    const removed = await call(
      client,
      school,
      'head',
      'delete',
      `/ai/plagiarism/documents/${document.id}`
    )
    removed.assertStatus(200)
    const twice = await call(
      client,
      school,
      'head',
      'delete',
      `/ai/plagiarism/documents/${document.id}`
    )
    twice.assertStatus(404)
    const student = await call(client, school, 'student', 'get', '/ai/plagiarism/documents')
    student.assertStatus(403)
  })

  test('a check finds planted verbatim and lightly edited passages with exact offsets, and ignores unrelated text', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const sourceText = generator.text(800)
    const document = await created(
      call(client, school, 'head', 'post', '/ai/plagiarism/documents').json({
        external_id: 'ref-2',
        title: 'Reference',
        text: sourceText,
      })
    )
    const verbatim = words(sourceText, 100, 160)
    const original = words(sourceText, 400, 450)
    // Light edits inside the passage: a word replaced, one dropped, case and punctuation changed.
    const edited = original
      .split(' ')
      .map((word, i) =>
        i === 12 ? 'quazzle' : i === 30 ? '' : i === 20 ? `${word.toUpperCase()},` : word
      )
      .filter(Boolean)
      .join(' ')
    const before = generator.text(200)
    const middle = generator.text(150)
    const text = `${before} ${verbatim} ${middle} ${edited} ${generator.text(120)}`

    const response = await call(client, school, 'teacher', 'post', '/ai/plagiarism/check').json({
      text,
    })
    response.assertStatus(200)
    const { matches, score } = response.body().data
    assert.lengthOf(matches, 2)
    const [first, second] = matches
    assert.deepEqual(first.source, { kind: 'document', id: document.id, external_id: 'ref-2' })
    assert.equal(text.slice(first.start, first.end), verbatim)
    assert.equal(sourceText.slice(first.source_start, first.source_end), verbatim)
    assert.equal(text.slice(second.start, second.end), edited)
    assert.equal(sourceText.slice(second.source_start, second.source_end), original)
    assert.closeTo(score, (60 + 49) / (200 + 60 + 150 + 49 + 120), 0.02)

    const unrelated = await call(client, school, 'teacher', 'post', '/ai/plagiarism/check').json({
      text: generator.text(1500),
    })
    unrelated.assertStatus(200)
    assert.deepEqual(unrelated.body().data.matches, [])
    assert.equal(unrelated.body().data.score, 0)
  })

  test('check input is validated and long texts go through a submission instead', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const empty = await call(client, school, 'teacher', 'post', '/ai/plagiarism/check').json({
      text: '',
    })
    empty.assertStatus(400)
    const long = await call(client, school, 'teacher', 'post', '/ai/plagiarism/check').json({
      text: generator.text(5200),
    })
    long.assertStatus(413)
    assert.equal(long.body().error.code, 'ERR_AI_TEXT_TOO_LONG')
    const student = await call(client, school, 'student', 'post', '/ai/plagiarism/check').json({
      text: 'hello',
    })
    student.assertStatus(403)
  })

  test("every handed-in submission gets a report against prior submissions; only its course's teacher and admins read it", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const essay = await assignment(client, school)
    const original = generator.text(400)
    const first = await created(
      call(client, school, 'student', 'post', `/lms/assignments/${essay.id}/submissions`).json({
        text: original,
        submit: true,
      })
    )
    const firstReport = await reportOf(client, school, first.id)
    assert.deepEqual(firstReport.matches, [])

    // The second student copies 80 words of the first one's essay into their own, in a PDF.
    const copied = words(original, 150, 230)
    const own = `${generator.text(150)} ${copied} ${generator.text(150)}`
    const draft = await created(
      call(client, school, 'student2', 'post', `/lms/assignments/${essay.id}/submissions`).json({
        text: null,
      })
    )
    const pdf = await pdfOf(own)
    const upload = await call(
      client,
      school,
      'student2',
      'post',
      `/lms/submissions/${draft.id}/files`
    ).file('file', pdf, {
      filename: 'essay.pdf',
      contentType: 'application/pdf',
    })
    upload.assertStatus(201)
    const handedIn = await call(
      client,
      school,
      'student2',
      'post',
      `/lms/submissions/${draft.id}/submit`
    ).json({})
    handedIn.assertStatus(200)
    const report = await reportOf(client, school, draft.id)
    assert.isAtLeast(report.matches.length, 1)
    const match = report.matches[0]
    assert.deepEqual(match.source, { kind: 'submission', id: String(first.id) })
    assert.equal(original.slice(match.source_start, match.source_end), copied)
    assert.isAbove(report.score, 0.2)

    const teacher = await call(
      client,
      school,
      'teacher',
      'get',
      `/ai/plagiarism/reports/${draft.id}`
    )
    teacher.assertStatus(200)
    const otherTeacher = await call(
      client,
      school,
      'teacher2',
      'get',
      `/ai/plagiarism/reports/${draft.id}`
    )
    otherTeacher.assertStatus(404)
    assert.equal(otherTeacher.body().error.code, 'ERR_AI_NOT_FOUND')
    const student = await call(
      client,
      school,
      'student2',
      'get',
      `/ai/plagiarism/reports/${draft.id}`
    )
    student.assertStatus(403)
    const junk = await call(client, school, 'head', 'get', '/ai/plagiarism/reports/abc')
    junk.assertStatus(404)

    // On demand: the course's teacher re-checks; another teacher cannot.
    const recheck = await call(
      client,
      school,
      'teacher',
      'post',
      `/ai/plagiarism/reports/${draft.id}/check`
    ).json({})
    recheck.assertStatus(200)
    assert.deepEqual(recheck.body().data.matches[0].source, match.source)
    const foreign = await call(
      client,
      school,
      'teacher2',
      'post',
      `/ai/plagiarism/reports/${draft.id}/check`
    ).json({})
    foreign.assertStatus(404)
  })

  test("another tenant's checks and reports never reach this tenant's sources", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const text = generator.text(300)
    await created(
      call(client, school, 'head', 'post', '/ai/plagiarism/documents').json({
        external_id: 'isolation',
        title: 'Only here',
        text,
      })
    )
    const other = await activeTenant()
    const enabled = await client
      .post(`/api/v1/platform/tenants/${other.slug}/plugins/ai/enable`)
      .bearerToken(PLATFORM_TOKEN())
      .json({})
    enabled.assertStatus(200)
    const email = `head@${other.slug}.example`
    await createUser(other, { email, role: 'TenantAdmin' })
    const login = await client
      .post('/api/v1/auth/login')
      .header('x-tenant-id', other.slug)
      .json({ email, password: PASSWORD })
    const token = login.body().data.access_token
    const check = await client
      .post('/api/v1/ai/plagiarism/check')
      .header('x-tenant-id', other.slug)
      .bearerToken(token)
      .json({ text })
    check.assertStatus(200)
    assert.deepEqual(check.body().data.matches, [])
    const here = await call(client, school, 'head', 'post', '/ai/plagiarism/check').json({ text })
    assert.lengthOf(here.body().data.matches, 1)
    // The other tenant's token is refused on this tenant.
    const crossed = await client
      .post('/api/v1/ai/plagiarism/check')
      .header('x-tenant-id', school.tenant.slug)
      .bearerToken(token)
      .json({ text })
    assert.oneOf(crossed.status(), [401, 403])
  })
})
