import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { created, ok, openSchool, refused, type School } from '@oryne/sdk/testing'

/*
 * The LMS routes of the web app (app_routes.ts, docs/web.md "LMS pages"):
 * a student's work due across courses (a parent's per child), and an
 * assignment posted with its rubric in one transaction.
 */

const HOUR = 3_600_000
const at = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString()

type Who = 'head' | 'teacher' | 'teacher2' | 'student' | 'student2' | 'parent'
type Setup = { s1: string; s2: string; math: string; art: string }

/** Two courses (two teachers) both taking section A (student and student2); parent is student's guardian. */
async function openCampus(client: ApiClient) {
  const school = await openSchool(client, {
    plugins: ['lms'],
    people: {
      head: 'TenantAdmin',
      teacher: 'Teacher',
      teacher2: 'Teacher',
      student: 'Student',
      student2: 'Student',
      parent: 'Parent',
    },
  })
  const erp = (path: string, body: object) =>
    created(school.as('head').post(`/erp${path}`).json(body))
  const grade = await erp('/classes', { name: 'Grade 8', grade_level: 8 })
  const section = await erp('/sections', { class_id: grade.id, name: 'A' })
  const teachers = [
    await erp('/teachers', { employee_no: 'T-1', name: 'Ada', user_id: school.people.teacher.id }),
    await erp('/teachers', { employee_no: 'T-2', name: 'Bo', user_id: school.people.teacher2.id }),
  ]
  const pupil = (no: string, userId: string) =>
    erp('/students', {
      enrollment_no: no,
      first_name: 'Pupil',
      last_name: no,
      class_id: grade.id,
      section_id: section.id,
      user_id: userId,
    })
  const s1 = await pupil('E-1', school.people.student.id)
  const s2 = await pupil('E-2', school.people.student2.id)
  await erp('/guardians', { student_id: s1.id, user_id: school.people.parent.id, name: 'Pat' })
  const courses = []
  for (const [index, code] of ['MATH8', 'ART8'].entries()) {
    const course = await created(
      school
        .as('head')
        .post('/lms/courses')
        .json({ code, title: code, teacher_id: teachers[index].id, status: 'active' })
    )
    await ok(
      school
        .as(index === 0 ? 'teacher' : 'teacher2')
        .post(`/lms/courses/${course.id}/enrol-section`)
        .json({ section_id: section.id })
    )
    courses.push(course.id as string)
  }
  return Object.assign(school, { s1: s1.id, s2: s2.id, math: courses[0], art: courses[1] })
}

type Campus = School<Who> & Setup

async function assign(campus: Campus, who: Who, course: string, fields: Record<string, unknown>) {
  return created(
    campus
      .as(who)
      .post('/lms/assignments')
      .json({ course_id: course, max_points: 10, status: 'published', ...fields })
  )
}

const titlesOf = (rows: Array<{ title: string }>) => rows.map((row) => row.title)

test.group('LMS: work due across courses', () => {
  let campus: Campus

  test('a student sees the open work of all their courses by due date, with their latest attempt', async ({
    assert,
    client,
  }) => {
    campus = await openCampus(client)
    await assign(campus, 'teacher', campus.math, { title: 'Due in two days', due_at: at(48) })
    const tomorrow = await assign(campus, 'teacher', campus.math, {
      title: 'Due tomorrow',
      due_at: at(24),
    })
    await assign(campus, 'teacher', campus.math, {
      title: 'Not published',
      due_at: at(10),
      status: 'draft',
    })
    const late = await assign(campus, 'teacher', campus.math, {
      title: 'Late, before its cut-off',
      due_at: at(-2),
      cut_off_at: at(5),
    })
    await assign(campus, 'teacher', campus.math, {
      title: 'Late, refused',
      due_at: at(-5),
      late_policy: 'reject',
    })
    await assign(campus, 'teacher', campus.math, {
      title: 'Past its cut-off',
      due_at: at(-3),
      cut_off_at: at(-1),
    })
    await assign(campus, 'teacher', campus.math, { title: 'Undated' })
    await assign(campus, 'teacher2', campus.art, { title: 'Art, due in 30 hours', due_at: at(30) })

    const expected = [
      'Late, before its cut-off',
      'Due tomorrow',
      'Art, due in 30 hours',
      'Due in two days',
      'Undated',
    ]
    const mine = await ok(campus.as('student').get('/lms/me/work-due'))
    assert.deepEqual(titlesOf(mine), expected)
    assert.isTrue(mine.every((row: any) => row.student.id === campus.s1))
    assert.equal(mine[0].student.name, 'Pupil E-1')
    assert.deepEqual(mine[2].course, { id: campus.art, code: 'ART8', title: 'ART8' })
    assert.isNull(mine[1].latest_attempt)

    // Handed in: the late one leaves the list, one due ahead stays with its status.
    for (const assignment of [late, tomorrow])
      await created(
        campus
          .as('student')
          .post(`/lms/assignments/${assignment.id}/submissions`)
          .json({ text: 'Done', submit: true })
      )
    const after = await ok(campus.as('student').get('/lms/me/work-due'))
    assert.deepEqual(titlesOf(after), expected.slice(1))
    assert.containsSubset(after[0].latest_attempt, { attempt: 1, status: 'submitted', late: false })

    // The classmate's list is theirs: the late work still open, no attempt of the other student.
    const theirs = await ok(campus.as('student2').get('/lms/me/work-due'))
    assert.deepEqual(titlesOf(theirs), expected)
    assert.isTrue(theirs.every((row: any) => row.student.id === campus.s2))
    assert.isTrue(theirs.every((row: any) => row.latest_attempt === null))

    // Until a day and a half from now: undated work and later work left out.
    const soon = await ok(
      campus
        .as('student2')
        .get('/lms/me/work-due')
        .qs({ until: at(36) })
    )
    assert.deepEqual(titlesOf(soon), expected.slice(0, 3))
  })

  test('pages of the list, a parent per child, and nobody else’s work', async ({
    assert,
    client,
  }) => {
    const page = await campus.as('student2').get('/lms/me/work-due').qs({ per_page: 2, page: 2 })
    assert.deepEqual(titlesOf(await ok(page)), ['Art, due in 30 hours', 'Due in two days'])
    assert.containsSubset(page.body().meta.pagination, {
      page: 2,
      per_page: 2,
      total: 5,
      last_page: 3,
    })
    const past = await campus.as('student2').get('/lms/me/work-due').qs({ per_page: 2, page: 9 })
    assert.deepEqual(await ok(past), [])
    assert.equal(past.body().meta.pagination.total, 5)

    // The parent follows their child only: the child's rows, with the child's attempts.
    const child = await ok(campus.as('parent').get('/lms/me/work-due'))
    assert.deepEqual(titlesOf(child), [
      'Due tomorrow',
      'Art, due in 30 hours',
      'Due in two days',
      'Undated',
    ])
    assert.isTrue(child.every((row: any) => row.student.id === campus.s1))
    assert.deepEqual(
      await ok(campus.as('parent').get('/lms/me/work-due').qs({ student_id: campus.s1 })),
      child
    )
    await refused(
      campus.as('parent').get('/lms/me/work-due').qs({ student_id: campus.s2 }),
      404,
      'ERR_LMS_NOT_FOUND'
    )
    await refused(
      campus.as('student').get('/lms/me/work-due').qs({ student_id: campus.s2 }),
      404,
      'ERR_LMS_NOT_FOUND'
    )
    // A teacher is neither a student nor a parent: nothing is due for them.
    assert.deepEqual(await ok(campus.as('teacher').get('/lms/me/work-due')), [])

    // Another school's work never shows, and a token of this school opens nothing there.
    const other = await openSchool(client, {
      plugins: ['lms'],
      people: { student: 'Student', teacher: 'Teacher' },
    })
    assert.deepEqual(await ok(other.as('student').get('/lms/me/work-due')), [])
    const foreign = await other.as(campus.people.student).get('/lms/me/work-due')
    assert.oneOf(foreign.status(), [401, 403])
    assert.isNull(foreign.body().data)
  })

  test('bad queries are refused with ERR_VALIDATION', async ({ client }) => {
    campus ??= await openCampus(client)
    for (const qs of [
      { per_page: 500 },
      { page: 0 },
      { until: 'tomorrow' },
      { until: '2026-03-02T09:00' },
      { student_id: 'abc' },
    ])
      await refused(campus.as('student').get('/lms/me/work-due').qs(qs), 400, 'ERR_VALIDATION')
  })
})

test.group('LMS: an assignment posted with its rubric', () => {
  let campus: Campus
  const rubric = {
    criteria: [
      {
        title: 'Argument',
        levels: [
          { title: 'Weak', points: 0 },
          { title: 'Fair', points: 5 },
          { title: 'Strong', points: 10 },
        ],
      },
      {
        title: 'Sources',
        levels: [
          { title: 'None', points: 0 },
          { title: 'Many', points: 6.5 },
        ],
      },
    ],
  }
  const rowsTitled = (title: string) =>
    campus.db(async (trx) => ({
      assignments: await trx.from('lms_assignments').where('title', title),
      rubrics: await trx.from('lms_rubrics').where('title', title),
    }))

  test('the teacher posts both in one call; the rubric belongs to the course', async ({
    assert,
    client,
  }) => {
    campus = await openCampus(client)
    const response = await campus
      .as('teacher')
      .post(`/lms/courses/${campus.math}/assignments`)
      .json({
        title: 'Rivers essay',
        due_at: '2031-03-02T09:00:00+04:00',
        max_points: 20,
        status: 'published',
        rubric,
      })
    const assignment = await created(response)
    assert.equal(response.header('location'), `/api/v1/lms/assignments/${assignment.id}`)
    assert.containsSubset(assignment, {
      course_id: campus.math,
      title: 'Rivers essay',
      max_points: '20.00',
      status: 'published',
    })
    assert.equal(new Date(assignment.due_at).toISOString(), '2031-03-02T05:00:00.000Z')
    const levels = await ok(
      campus
        .as('teacher')
        .get('/lms/rubric_levels')
        .qs({ 'filter[rubric_id]': assignment.rubric_id, 'sort': 'criterion_id,position' })
    )
    assert.deepEqual(
      levels.map((level: any) => `${level.title}:${level.points}`),
      ['Weak:0.00', 'Fair:5.00', 'Strong:10.00', 'None:0.00', 'Many:6.50']
    )
    assert.isTrue(levels.every((level: any) => level.course_id === campus.math))
    const rubricRow = await ok(campus.as('teacher').get(`/lms/rubrics/${assignment.rubric_id}`))
    assert.equal(rubricRow.title, 'Rivers essay')
    // The student reads it like any published assignment, rubric included.
    const seen = await ok(campus.as('student').get(`/lms/assignments/${assignment.id}`))
    assert.equal(seen.rubric_id, assignment.rubric_id)
    // Without a rubric too.
    const plain = await created(
      campus
        .as('teacher')
        .post(`/lms/courses/${campus.math}/assignments`)
        .json({ title: 'Plain', max_points: 5 })
    )
    assert.containsSubset(plain, { rubric_id: null, status: 'draft' })
  })

  test('a bad rubric, or an assignment refused after its rubric was written, leaves nothing', async ({
    assert,
  }) => {
    const bad = {
      ...rubric,
      criteria: [{ title: 'Argument', levels: [{ title: 'Below zero', points: -1 }] }],
    }
    await refused(
      campus
        .as('teacher')
        .post(`/lms/courses/${campus.math}/assignments`)
        .json({ title: 'Bad rubric', max_points: 10, rubric: bad }),
      400,
      'ERR_VALIDATION'
    )
    assert.deepEqual(await rowsTitled('Bad rubric'), { assignments: [], rubrics: [] })
    await refused(
      campus
        .as('teacher')
        .post(`/lms/courses/${campus.math}/assignments`)
        .json({
          title: 'No levels',
          max_points: 10,
          rubric: { criteria: [{ title: 'X', levels: [] }] },
        }),
      400,
      'ERR_VALIDATION'
    )
    assert.deepEqual(await rowsTitled('No levels'), { assignments: [], rubrics: [] })

    // The rubric is written before the assignment's checks run: its cut-off before its due date rolls both back.
    const error = await refused(
      campus
        .as('teacher')
        .post(`/lms/courses/${campus.math}/assignments`)
        .json({
          title: 'Cut off too soon',
          max_points: 10,
          due_at: at(48),
          cut_off_at: at(24),
          rubric,
        }),
      400,
      'ERR_VALIDATION'
    )
    assert.equal(error.details[0].field, 'cut_off_at')
    assert.deepEqual(await rowsTitled('Cut off too soon'), { assignments: [], rubrics: [] })
    const criteria = await campus.db((trx) =>
      trx.from('lms_rubric_criteria').where('title', 'Argument').count('* as n').first()
    )
    assert.equal(Number(criteria.n), 1, 'only the first test’s criterion exists')
  })

  test('only the course’s teacher posts: another teacher 404, a student 403, other schools never', async ({
    assert,
    client,
  }) => {
    const body = { title: 'Intruder', max_points: 10, rubric }
    await refused(
      campus.as('teacher2').post(`/lms/courses/${campus.math}/assignments`).json(body),
      404,
      'ERR_LMS_NOT_FOUND'
    )
    await refused(
      campus.as('student').post(`/lms/courses/${campus.math}/assignments`).json(body),
      403,
      'ERR_FORBIDDEN'
    )
    await refused(
      campus.as('teacher').post(`/lms/courses/abc/assignments`).json(body),
      404,
      'ERR_LMS_NOT_FOUND'
    )
    await refused(
      campus
        .as('teacher')
        .post(`/lms/courses/${campus.math}/assignments`)
        .json({ ...body, due_at: '2031-03-02T09:00' }),
      400,
      'ERR_VALIDATION'
    )
    // The same course id in another school is another school's (here: none).
    const other = await openSchool(client, { plugins: ['lms'], people: { teacher: 'Teacher' } })
    await refused(
      other.as('teacher').post(`/lms/courses/${campus.math}/assignments`).json(body),
      404,
      'ERR_LMS_NOT_FOUND'
    )
    assert.deepEqual(await rowsTitled('Intruder'), { assignments: [], rubrics: [] })
  })
})
