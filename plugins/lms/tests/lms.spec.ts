import { test } from '@japa/runner'
import {
  created,
  errorCode,
  ok,
  registeredJob,
  sharedSchool,
  type School,
} from '@oryne/sdk/testing'
import { announceDueSoon } from '../jobs/due_soon.js'

/*
 * The LMS end to end through HTTP, each workflow as the role that performs it:
 * a TenantAdmin sets up the school, a Teacher runs their course, Students hand
 * in work, a Parent follows their child. Every test gets assignments of its
 * own on the shared course, so tests do not depend on each other's order.
 */

const HOUR = 3_600_000
const at = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString()

type Who = 'head' | 'teacher' | 'teacher2' | 'student' | 'student2' | 'outsider' | 'parent'

type Setup = {
  /** ERP ids */
  sectionA: string
  sectionB: string
  teacherId: string
  teacher2Id: string
  s1: string
  s2: string
  s3: string
  outsiderId: string
  /** The Teacher's course, section A enrolled by the Teacher. */
  course: string
  enrolment: Record<string, any>
}
type LmsSchool = School<Who> & Setup

function as(school: School<Who>, who: Who) {
  const api = school.as(who)
  return {
    get: (path: string) => api.get(`/lms${path}`),
    post: (path: string) => api.post(`/lms${path}`),
    put: (path: string) => api.put(`/lms${path}`),
    patch: (path: string) => api.patch(`/lms${path}`),
    erp: (path: string) => api.post(`/erp${path}`),
  }
}

/** A tenant with ERP and LMS enabled, its people signed in, a class of two sections and a course. */
const schoolFor = sharedSchool(
  {
    plugins: ['lms'],
    people: {
      head: 'TenantAdmin',
      teacher: 'Teacher',
      teacher2: 'Teacher',
      student: 'Student',
      student2: 'Student',
      outsider: 'Student',
      parent: 'Parent',
    },
  },
  async (school: School<Who>) => {
    const head = as(school, 'head')

    const grade9 = await created(head.erp('/classes').json({ name: 'Grade 9', grade_level: 9 }))
    const sectionA = await created(head.erp('/sections').json({ class_id: grade9.id, name: 'A' }))
    const sectionB = await created(head.erp('/sections').json({ class_id: grade9.id, name: 'B' }))
    const teacher = await created(
      head
        .erp('/teachers')
        .json({ employee_no: 'T-1', name: 'Ada Teacher', user_id: school.people.teacher.id })
    )
    const teacher2 = await created(
      head
        .erp('/teachers')
        .json({ employee_no: 'T-2', name: 'Bo Teacher', user_id: school.people.teacher2.id })
    )
    const student = (no: string, section: string, userId: string | null) =>
      created(
        head.erp('/students').json({
          enrollment_no: no,
          first_name: 'Pupil',
          last_name: no,
          class_id: grade9.id,
          section_id: section,
          user_id: userId,
        })
      )
    const s1 = await student('E-001', sectionA.id, school.people.student.id)
    const s2 = await student('E-002', sectionA.id, school.people.student2.id)
    const s3 = await student('E-003', sectionA.id, null)
    const outsider = await student('E-101', sectionB.id, school.people.outsider.id)
    await created(
      head
        .erp('/guardians')
        .json({ student_id: s1.id, user_id: school.people.parent.id, name: 'Pat Parent' })
    )

    const course = await created(
      head.post('/courses').json({
        code: 'MATH9',
        title: 'Mathematics 9',
        teacher_id: teacher.id,
        credits: 4,
        status: 'active',
      })
    )
    const enrolment = await ok(
      as(school, 'teacher')
        .post(`/courses/${course.id}/enrol-section`)
        .json({ section_id: sectionA.id })
    )
    const setup: Setup = {
      sectionA: sectionA.id,
      sectionB: sectionB.id,
      teacherId: teacher.id,
      teacher2Id: teacher2.id,
      s1: s1.id,
      s2: s2.id,
      s3: s3.id,
      outsiderId: outsider.id,
      course: course.id,
      enrolment,
    }
    return setup
  }
)

/** A published assignment of the school's course, created by its Teacher. */
function newAssignment(school: LmsSchool, fields: Record<string, unknown> = {}) {
  return created(
    as(school, 'teacher')
      .post('/assignments')
      .json({
        course_id: school.course,
        title: 'Homework',
        max_points: 10,
        due_at: at(48),
        status: 'published',
        ...fields,
      })
  )
}

/** Starts and hands in an attempt as `who`; returns the submission. */
async function handIn(
  school: LmsSchool,
  assignment: string,
  who: Who = 'student',
  text = 'My answer'
) {
  const submission = await created(
    as(school, who).post(`/assignments/${assignment}/submissions`).json({ text, submit: true })
  )
  return submission
}

test.group('LMS: courses and enrolments', () => {
  test('a teacher enrols an ERP section; enrolling it again changes nothing', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    assert.deepInclude(school.enrolment, { enrolled: 3, reactivated: 0, already_enrolled: 0 })

    const again = await as(school, 'teacher')
      .post(`/courses/${school.course}/enrol-section`)
      .json({ section_id: school.sectionA })
    again.assertStatus(200)
    assert.deepInclude(again.body().data, { enrolled: 0, reactivated: 0, already_enrolled: 3 })

    const enrolments = await as(school, 'teacher').get(
      `/enrolments?filter[course_id][eq]=${school.course}`
    )
    enrolments.assertStatus(200)
    const rows = enrolments.body().data
    assert.sameMembers(
      rows.map((row: any) => String(row.student_id)),
      [school.s1, school.s2, school.s3]
    )
    // Each enrolment carries the student's user, for row rules.
    const own = rows.find((row: any) => String(row.student_id) === school.s1)
    assert.equal(own.student_user_id, school.people.student.id)
    assert.equal(own.course_section_id, school.enrolment.course_section_id)
  })

  test('only the course teacher or an admin enrols; a student may not, a junk id is a 404', async ({
    client,
  }) => {
    const school = await schoolFor(client)
    const body = { section_id: school.sectionB }
    const otherTeacher = await as(school, 'teacher2')
      .post(`/courses/${school.course}/enrol-section`)
      .json(body)
    otherTeacher.assertStatus(404)
    otherTeacher.assertBodyContains({ error: { code: 'ERR_LMS_NOT_FOUND' } })

    const student = await as(school, 'student')
      .post(`/courses/${school.course}/enrol-section`)
      .json(body)
    student.assertStatus(403)
    student.assertBodyContains({ error: { code: 'ERR_FORBIDDEN' } })

    const junk = await as(school, 'head').post(`/courses/1%20OR%201=1/enrol-section`).json(body)
    junk.assertStatus(404)

    const invalid = await as(school, 'head')
      .post(`/courses/${school.course}/enrol-section`)
      .json({ section_id: 'abc' })
    invalid.assertStatus(400)
    invalid.assertBodyContains({ error: { code: 'ERR_VALIDATION' } })
  })

  test('an archived course takes no enrolment', async ({ client }) => {
    const school = await schoolFor(client)
    const archived = await created(
      as(school, 'head').post('/courses').json({
        code: 'OLD1',
        title: 'Old course',
        teacher_id: school.teacherId,
        status: 'archived',
      })
    )
    const refused = await as(school, 'teacher')
      .post(`/courses/${archived.id}/enrol-section`)
      .json({ section_id: school.sectionA })
    refused.assertStatus(409)
    refused.assertBodyContains({ error: { code: 'ERR_LMS_COURSE_CLOSED' } })
  })

  test("a teacher sees the courses they teach, a student those they are in, a parent their child's", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const codes = async (who: Who) => {
      const response = await as(school, who).get('/courses')
      response.assertStatus(200)
      return response.body().data.map((course: any) => course.code)
    }
    assert.include(await codes('teacher'), 'MATH9')
    assert.notInclude(await codes('teacher2'), 'MATH9')
    assert.include(await codes('student'), 'MATH9')
    assert.notInclude(await codes('student'), 'OLD1')
    assert.include(await codes('parent'), 'MATH9')
    assert.deepEqual(await codes('outsider'), [])
    assert.includeMembers(await codes('head'), ['MATH9', 'OLD1'])

    // The course's teacher user was filled in from the ERP teacher.
    const course = await as(school, 'head').get(`/courses/${school.course}`)
    assert.equal(course.body().data.teacher_user_id, school.people.teacher.id)

    // A teacher cannot hand their course to another teacher (it would leave their rows).
    const handover = await as(school, 'teacher')
      .patch(`/courses/${school.course}`)
      .json({ teacher_id: school.teacher2Id })
    handover.assertStatus(403)
  })
})

test.group('LMS: submissions and grading', () => {
  test('a student drafts, attaches a file and submits; the teacher grades, releases and returns', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const student = as(school, 'student')
    const teacher = as(school, 'teacher')
    const assignment = await newAssignment(school, { attempts_allowed: 2 })

    const start = await student.post(`/assignments/${assignment.id}/submissions`).json({})
    start.assertStatus(201)
    const draft = start.body().data
    assert.equal(start.header('location'), `/api/v1/lms/submissions/${draft.id}`)
    assert.deepInclude(draft, { status: 'draft', attempt: 1, late: false })
    assert.equal(String(draft.student_id), school.s1)

    const saved = await student.put(`/submissions/${draft.id}/draft`).json({ text: 'x = 42' })
    saved.assertStatus(200)
    assert.equal(saved.body().data.text, 'x = 42')

    const attached = await student
      .post(`/submissions/${draft.id}/files`)
      .file('file', Buffer.from('working, line by line'), { filename: 'working.txt' })
    attached.assertStatus(201)
    assert.equal(
      attached.header('location'),
      `/api/v1/lms/submissions/${draft.id}/files/0/download-url`
    )
    assert.lengthOf(attached.body().data.files, 1)
    assert.equal(attached.body().data.files[0].name, 'working.txt')

    const submitted = await student.post(`/submissions/${draft.id}/submit`).json({})
    submitted.assertStatus(200)
    assert.equal(submitted.body().data.status, 'submitted')
    assert.isString(submitted.body().data.submitted_at)

    // The teacher reads the attached file through a signed link.
    const link = await teacher.get(`/submissions/${draft.id}/files/0/download-url`)
    link.assertStatus(200)
    // The link is absolute and names its tenant: opened as it is, with no header.
    const file = await fetch(link.body().data.url)
    assert.equal(file.status, 200)
    assert.equal(await file.text(), 'working, line by line')

    const graded = await teacher
      .post(`/submissions/${draft.id}/grade`)
      .json({ points: 8.5, feedback: 'Neat' })
    graded.assertStatus(200)
    assert.deepInclude(graded.body().data, {
      points: '8.50',
      final_points: '8.50',
      released: false,
    })

    // Not released yet: the student sees no grade.
    const hidden = await student.get(`/grades?filter[assignment_id][eq]=${assignment.id}`)
    assert.deepEqual(hidden.body().data, [])

    const released = await teacher.post(`/assignments/${assignment.id}/release`).json({})
    released.assertStatus(200)
    assert.deepInclude(released.body().data, { released: 1, submission_ids: [String(draft.id)] })
    const releasedAgain = await teacher.post(`/assignments/${assignment.id}/release`).json({})
    assert.equal(releasedAgain.body().data.released, 0)

    const visible = await student.get(`/grades?filter[assignment_id][eq]=${assignment.id}`)
    assert.lengthOf(visible.body().data, 1)
    assert.equal(visible.body().data[0].final_points, '8.50')

    const returned = await teacher
      .post(`/submissions/${draft.id}/return`)
      .json({ feedback: 'Try the proof again' })
    returned.assertStatus(200)
    assert.equal(returned.body().data.status, 'returned')
    assert.equal(returned.body().data.grade.feedback, 'Try the proof again')

    // A returned attempt opens the next one, within the attempts allowed.
    const second = await handIn(school, assignment.id, 'student', 'Second try')
    assert.equal(second.attempt, 2)

    const audit = await school.db((trx) =>
      trx.from('audit_log').whereLike('action', 'lms.%').orderBy('id').select('action', 'subject')
    )
    const actions = audit.map((entry) => entry.action)
    for (const action of [
      'lms.submissions.start',
      'lms.submissions.draft',
      'lms.submissions.attach',
      'lms.submissions.submit',
      'lms.submissions.grade',
      'lms.grades.release',
      'lms.submissions.return',
    ]) {
      assert.include(actions, action)
    }
  })

  test('invalid transitions are 409 with stable codes', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const student = as(school, 'student2')
    const teacher = as(school, 'teacher')
    const assignment = await newAssignment(school, { attempts_allowed: 1 })

    const draft = await created(
      student.post(`/assignments/${assignment.id}/submissions`).json({ text: 'a' })
    )
    const gradeDraft = await teacher.post(`/submissions/${draft.id}/grade`).json({ points: 1 })
    gradeDraft.assertStatus(409)
    assert.equal(errorCode(gradeDraft), 'ERR_LMS_INVALID_TRANSITION')

    const open = await student.post(`/assignments/${assignment.id}/submissions`).json({ text: 'b' })
    open.assertStatus(409)
    assert.equal(errorCode(open), 'ERR_LMS_ATTEMPT_OPEN')

    ;(await student.post(`/submissions/${draft.id}/submit`).json({})).assertStatus(200)
    const twice = await student.post(`/submissions/${draft.id}/submit`).json({})
    twice.assertStatus(409)
    assert.equal(errorCode(twice), 'ERR_LMS_INVALID_TRANSITION')

    const edit = await student.put(`/submissions/${draft.id}/draft`).json({ text: 'changed' })
    edit.assertStatus(409)
    assert.equal(errorCode(edit), 'ERR_LMS_SUBMISSION_LOCKED')

    const early = await teacher.post(`/submissions/${draft.id}/return`).json({})
    early.assertStatus(409)
    assert.equal(errorCode(early), 'ERR_LMS_INVALID_TRANSITION')

    const tooMany = await teacher.post(`/submissions/${draft.id}/grade`).json({ points: 10.5 })
    tooMany.assertStatus(422)
    assert.equal(errorCode(tooMany), 'ERR_LMS_POINTS_OUT_OF_RANGE')

    const both = await teacher.post(`/submissions/${draft.id}/grade`).json({})
    both.assertStatus(400)
    assert.equal(errorCode(both), 'ERR_VALIDATION')

    ;(await teacher.post(`/submissions/${draft.id}/grade`).json({ points: 6 })).assertStatus(200)
    ;(await teacher.post(`/submissions/${draft.id}/return`).json({})).assertStatus(200)
    const exhausted = await student
      .post(`/assignments/${assignment.id}/submissions`)
      .json({ text: 'c' })
    exhausted.assertStatus(409)
    assert.equal(errorCode(exhausted), 'ERR_LMS_ATTEMPTS_EXHAUSTED')

    const regrade = await teacher.post(`/submissions/${draft.id}/grade`).json({ points: 7 })
    regrade.assertStatus(409)
    assert.equal(errorCode(regrade), 'ERR_LMS_INVALID_TRANSITION')

    const empty = await student
      .post(`/assignments/${(await newAssignment(school)).id}/submissions`)
      .json({
        submit: true,
      })
    empty.assertStatus(400)
    assert.equal(errorCode(empty), 'ERR_VALIDATION')
  })

  test('due dates: late work is flagged and penalised, refused under the reject policy, never taken after the cut-off', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const penalised = await newAssignment(school, {
      due_at: at(-1),
      cut_off_at: at(1),
      late_policy: 'penalise',
      late_penalty_percent: 10,
    })
    const late = await handIn(school, penalised.id)
    assert.isTrue(late.late)
    const graded = await as(school, 'teacher')
      .post(`/submissions/${late.id}/grade`)
      .json({ points: 10 })
    assert.deepInclude(graded.body().data, {
      points: '10.00',
      penalty_percent: '10.00',
      final_points: '9.00',
    })

    const accepted = await newAssignment(school, { due_at: at(-1), late_policy: 'accept' })
    const acceptedLate = await handIn(school, accepted.id)
    assert.isTrue(acceptedLate.late)

    const rejecting = await newAssignment(school, { due_at: at(-1), late_policy: 'reject' })
    const rejected = await as(school, 'student')
      .post(`/assignments/${rejecting.id}/submissions`)
      .json({ text: 'late' })
    rejected.assertStatus(409)
    assert.equal(errorCode(rejected), 'ERR_LMS_LATE_REJECTED')

    const closed = await newAssignment(school, { due_at: at(-3), cut_off_at: at(-1) })
    const afterCutOff = await as(school, 'student')
      .post(`/assignments/${closed.id}/submissions`)
      .json({ text: 'too late' })
    afterCutOff.assertStatus(409)
    assert.equal(errorCode(afterCutOff), 'ERR_LMS_PAST_CUT_OFF')

    const badDates = await as(school, 'teacher')
      .post('/assignments')
      .json({
        course_id: school.course,
        title: 'Bad',
        max_points: 5,
        due_at: at(2),
        cut_off_at: at(1),
      })
    badDates.assertStatus(400)
    assert.equal(errorCode(badDates), 'ERR_VALIDATION')
  })

  test('a rubric selection computes the points, scaled to the assignment maximum', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const teacher = as(school, 'teacher')
    const rubric = await created(
      teacher.post('/rubrics').json({ course_id: school.course, title: 'Essay' })
    )
    const argument = await created(
      teacher.post('/rubric_criteria').json({ rubric_id: rubric.id, title: 'Argument' })
    )
    const style = await created(
      teacher.post('/rubric_criteria').json({ rubric_id: rubric.id, title: 'Style' })
    )
    const level = (criterion: any, title: string, points: number) =>
      created(teacher.post('/rubric_levels').json({ criterion_id: criterion.id, title, points }))
    await level(argument, 'Weak', 0)
    const good = await level(argument, 'Good', 5)
    await level(argument, 'Excellent', 10)
    await level(style, 'Plain', 0)
    const clear = await level(style, 'Clear', 10)

    const assignment = await newAssignment(school, {
      max_points: 100,
      rubric_id: rubric.id,
    })
    const submission = await handIn(school, assignment.id)

    const foreign = await teacher.post(`/submissions/${submission.id}/grade`).json({
      rubric: [
        { criterion_id: String(argument.id), level_id: String(clear.id) },
        { criterion_id: String(style.id), level_id: String(clear.id) },
      ],
    })
    foreign.assertStatus(422)
    assert.equal(errorCode(foreign), 'ERR_LMS_RUBRIC_MISMATCH')

    const partial = await teacher.post(`/submissions/${submission.id}/grade`).json({
      rubric: [{ criterion_id: String(argument.id), level_id: String(good.id) }],
    })
    partial.assertStatus(422)
    assert.equal(errorCode(partial), 'ERR_LMS_RUBRIC_MISMATCH')

    // 5 + 10 of a best 20, on an assignment out of 100.
    const graded = await teacher.post(`/submissions/${submission.id}/grade`).json({
      rubric: [
        { criterion_id: String(argument.id), level_id: String(good.id) },
        { criterion_id: String(style.id), level_id: String(clear.id) },
      ],
    })
    graded.assertStatus(200)
    assert.equal(graded.body().data.points, '75.00')
    assert.lengthOf(graded.body().data.rubric_selections, 2)

    // The criteria carry their rubric's course: another teacher sees none of them.
    const hidden = await as(school, 'teacher2').get(
      `/rubric_criteria?filter[rubric_id][eq]=${rubric.id}`
    )
    assert.deepEqual(hidden.body().data, [])
  })

  test('who may do what: permissions and the course teacher', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const assignment = await newAssignment(school)
    const submission = await handIn(school, assignment.id)

    const studentGrades = await as(school, 'student2')
      .post(`/submissions/${submission.id}/grade`)
      .json({ points: 10 })
    studentGrades.assertStatus(403)
    assert.equal(errorCode(studentGrades), 'ERR_FORBIDDEN')

    const studentReleases = await as(school, 'student')
      .post(`/assignments/${assignment.id}/release`)
      .json({})
    studentReleases.assertStatus(403)

    const parentSubmits = await as(school, 'parent')
      .post(`/assignments/${assignment.id}/submissions`)
      .json({ text: 'Done it for them' })
    parentSubmits.assertStatus(403)
    assert.equal(errorCode(parentSubmits), 'ERR_FORBIDDEN')

    const otherTeacher = await as(school, 'teacher2')
      .post(`/submissions/${submission.id}/grade`)
      .json({ points: 1 })
    otherTeacher.assertStatus(404)
    assert.equal(errorCode(otherTeacher), 'ERR_LMS_NOT_FOUND')

    // A student outside the course does not even see the assignment.
    const outsider = await as(school, 'outsider')
      .post(`/assignments/${assignment.id}/submissions`)
      .json({ text: 'me too' })
    outsider.assertStatus(404)

    // Another student cannot hand in, or touch, someone else's attempt.
    const foreign = await as(school, 'student2')
      .post(`/submissions/${submission.id}/submit`)
      .json({})
    foreign.assertStatus(404)

    const teacherCreatesElsewhere = await as(school, 'teacher2')
      .post('/assignments')
      .json({ course_id: school.course, title: 'Intruder', max_points: 5 })
    teacherCreatesElsewhere.assertStatus(403)

    // A draft assignment is invisible to students.
    const draftAssignment = await newAssignment(school, { status: 'draft' })
    const unseen = await as(school, 'student').get(`/assignments/${draftAssignment.id}`)
    unseen.assertStatus(404)
  })

  test("row rules: a student sees only their own submissions and grades, a parent their child's", async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const assignment = await newAssignment(school)
    const mine = await handIn(school, assignment.id, 'student')
    const theirs = await handIn(school, assignment.id, 'student2')

    const list = async (who: Who, resource = 'submissions') => {
      const response = await as(school, who).get(
        `/${resource}?filter[assignment_id][eq]=${assignment.id}`
      )
      response.assertStatus(200)
      return response.body().data.map((row: any) => String(row.student_id))
    }
    assert.deepEqual(await list('student'), [school.s1])
    assert.deepEqual(await list('student2'), [school.s2])
    assert.deepEqual(await list('parent'), [school.s1])
    assert.sameMembers(await list('teacher'), [school.s1, school.s2])
    assert.deepEqual(await list('teacher2'), [])

    const peek = await as(school, 'student2').get(`/submissions/${mine.id}`)
    peek.assertStatus(404)
    assert.equal(errorCode(peek), 'ERR_RECORD_NOT_FOUND')
    const fileLink = await as(school, 'student2').get(
      `/submissions/${mine.id}/files/0/download-url`
    )
    fileLink.assertStatus(404)

    const teacher = as(school, 'teacher')
    await teacher.post(`/submissions/${mine.id}/grade`).json({ points: 7 })
    await teacher.post(`/submissions/${theirs.id}/grade`).json({ points: 9 })
    await teacher
      .post(`/assignments/${assignment.id}/release`)
      .json({ submission_ids: [String(mine.id)] })
    assert.deepEqual(await list('student', 'grades'), [school.s1])
    assert.deepEqual(await list('parent', 'grades'), [school.s1])
    // Student 2's grade is not released yet.
    assert.deepEqual(await list('student2', 'grades'), [])
    assert.sameMembers(await list('teacher', 'grades'), [school.s1, school.s2])
  })
})

test.group('LMS: gradebook', () => {
  test('final grades weigh the categories; students and parents see released grades of their own rows', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const teacher = as(school, 'teacher')
    // A course of its own, so that other tests' assignments do not count.
    const course = await created(
      as(school, 'head')
        .post('/courses')
        .json({ code: 'SCI9', title: 'Science 9', teacher_id: school.teacherId, status: 'active' })
    )
    await ok(
      teacher.post(`/courses/${course.id}/enrol-section`).json({ section_id: school.sectionA })
    )
    const homework = await created(
      teacher.post('/grade_categories').json({ course_id: course.id, name: 'Homework', weight: 40 })
    )
    const exams = await created(
      teacher.post('/grade_categories').json({ course_id: course.id, name: 'Exams', weight: 60 })
    )
    const hw = await newAssignment(school, {
      course_id: course.id,
      category_id: homework.id,
      max_points: 10,
    })
    const exam = await newAssignment(school, {
      course_id: course.id,
      category_id: exams.id,
      max_points: 50,
    })

    const grade = async (assignment: any, who: Who, points: number) => {
      const submission = await handIn(school, assignment.id, who)
      ;(await teacher.post(`/submissions/${submission.id}/grade`).json({ points })).assertStatus(
        200
      )
    }
    await grade(hw, 'student', 8) // 80%
    await grade(exam, 'student', 35) // 70%
    await grade(hw, 'student2', 10) // 100%, exam not graded
    await teacher.post(`/assignments/${hw.id}/release`).json({})

    const book = await teacher.get(`/courses/${course.id}/gradebook`)
    book.assertStatus(200)
    const rows = Object.fromEntries(
      book.body().data.students.map((row: any) => [row.student_id, row])
    )
    assert.lengthOf(book.body().data.students, 3)
    // (40 * 80 + 60 * 70) / 100
    assert.equal(rows[school.s1].final_percent, '74.00')
    assert.deepEqual(rows[school.s1].scores, { [hw.id]: '8.00', [exam.id]: '35.00' })
    // Only homework is graded: its category alone counts.
    assert.equal(rows[school.s2].final_percent, '100.00')
    assert.isNull(rows[school.s3].final_percent)

    const zeros = await teacher.get(`/courses/${course.id}/gradebook?missing_as_zero=true`)
    assert.equal(zeros.body().data.missing_as_zero, true)

    const own = await as(school, 'student').get(
      `/courses/${course.id}/gradebook?released_only=false`
    )
    own.assertStatus(200)
    assert.isTrue(own.body().data.released_only)
    assert.lengthOf(own.body().data.students, 1)
    // The exam grade is not released: only homework counts for the student.
    assert.deepInclude(own.body().data.students[0], {
      student_id: school.s1,
      final_percent: '80.00',
    })

    const child = await as(school, 'parent').get(`/courses/${course.id}/gradebook`)
    assert.deepEqual(
      child.body().data.students.map((row: any) => row.student_id),
      [school.s1]
    )

    const stranger = await as(school, 'outsider').get(`/courses/${course.id}/gradebook`)
    stranger.assertStatus(404)
    const otherStudent = await as(school, 'student').get(
      `/courses/${course.id}/gradebook?student_id=${school.s2}`
    )
    otherStudent.assertStatus(404)
  })
})

test.group('LMS: materials', () => {
  test('a teacher uploads a file; students download published materials through signed links', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const teacher = as(school, 'teacher')
    const material = await created(
      teacher.post('/materials').json({ course_id: school.course, title: 'Chapter 1' })
    )
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')
    // The type is the one the name and the bytes agree on, not the one the client sent.
    const uploaded = await teacher
      .post(`/materials/${material.id}/file`)
      .file('file', pdf, { filename: 'chapter1.pdf', contentType: 'text/html' })
    uploaded.assertStatus(200)
    assert.deepInclude(uploaded.body().data, {
      file_name: 'chapter1.pdf',
      size: pdf.length,
      content_type: 'application/pdf',
    })
    assert.match(
      uploaded.body().data.file_key,
      new RegExp(`^lms/materials/${material.id}/[0-9a-f-]+\\.pdf$`)
    )

    // Unpublished: invisible to students.
    const hidden = await as(school, 'student').get(`/materials/${material.id}/download-url`)
    hidden.assertStatus(404)
    await teacher.patch(`/materials/${material.id}`).json({ published: true })

    const link = await as(school, 'student').get(`/materials/${material.id}/download-url`)
    link.assertStatus(200)
    const { url, expires_at: expiresAt } = link.body().data
    assert.match(
      url,
      new RegExp(
        `^http://${process.env.HOST}:${process.env.PORT}/api/v1/lms/materials/${material.id}/download\\?expires=\\d+&signature=[\\w-]{43}&tenant=${school.tenant.slug}$`
      )
    )
    assert.isAbove(Date.parse(expiresAt), Date.now())

    // As a browser opens it: no bearer token (the signature is the credential), no X-Tenant-ID.
    const download = await fetch(url)
    assert.equal(download.status, 200)
    assert.include(download.headers.get('content-disposition') ?? '', 'chapter1.pdf')
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff')

    const tampered = url.replace(/signature=./, (match: string) =>
      match.endsWith('A') ? 'signature=B' : 'signature=A'
    )
    const forged = await fetch(tampered)
    assert.equal(forged.status, 403)
    assert.equal(((await forged.json()) as any).error.code, 'ERR_LMS_DOWNLOAD_LINK_INVALID')

    const extended = url.replace(/expires=\d+/, `expires=${Math.floor(Date.now() / 1000) + 86_400}`)
    assert.equal((await fetch(extended)).status, 403)

    const noSignature = await client
      .get(`/api/v1/lms/materials/${material.id}/download`)
      .header('x-tenant-id', school.tenant.slug)
    noSignature.assertStatus(403)

    const outsider = await as(school, 'outsider').get(`/materials/${material.id}/download-url`)
    outsider.assertStatus(404)
  })

  test('files of refused types are rejected', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const teacher = as(school, 'teacher')
    const material = await created(
      teacher.post('/materials').json({ course_id: school.course, title: 'Page' })
    )
    const refused = await teacher
      .post(`/materials/${material.id}/file`)
      .file('file', Buffer.from('<script>alert(1)</script>'), { filename: 'page.html' })
    refused.assertStatus(422)
    assert.equal(errorCode(refused), 'ERR_LMS_FILE_REJECTED')
  })
})

test.group('LMS: live classes', () => {
  test('students join through the provider template and are marked; the teacher captures attendance', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const teacher = as(school, 'teacher')
    const session = await created(
      teacher.post('/live_sessions').json({
        course_id: school.course,
        title: 'Algebra live',
        starts_at: at(-0.5),
        ends_at: at(1),
        provider: 'jitsi',
      })
    )
    const joined = await as(school, 'student').post(`/live_sessions/${session.id}/join`).json({})
    joined.assertStatus(200)
    assert.match(
      joined.body().data.url,
      new RegExp(
        `^https://meet\\.example\\.org/${school.tenant.slug}-math9-${session.id}-[0-9a-f]{16}$`
      )
    )
    // Thirty minutes in: late.
    assert.equal(joined.body().data.attendance.status, 'late')

    const teacherJoins = await teacher.post(`/live_sessions/${session.id}/join`).json({})
    assert.equal(teacherJoins.body().data.url, joined.body().data.url)
    assert.isNull(teacherJoins.body().data.attendance)

    const parent = await as(school, 'parent').post(`/live_sessions/${session.id}/join`).json({})
    parent.assertStatus(403)
    const outsider = await as(school, 'outsider').post(`/live_sessions/${session.id}/join`).json({})
    outsider.assertStatus(404)

    const captured = await teacher.post(`/live_sessions/${session.id}/attendance`).json({
      marks: [
        { student_id: school.s1, status: 'present', note: 'Connection trouble' },
        { student_id: school.s2, status: 'absent' },
      ],
    })
    captured.assertStatus(200)
    assert.equal(captured.body().data.marked, 2)

    const stranger = await teacher.post(`/live_sessions/${session.id}/attendance`).json({
      marks: [{ student_id: school.outsiderId, status: 'present' }],
    })
    stranger.assertStatus(400)
    assert.equal(stranger.body().error.details[0].student_id, school.outsiderId)

    const marks = await as(school, 'student2').get(
      `/live_attendance?filter[session_id][eq]=${session.id}`
    )
    assert.deepEqual(
      marks.body().data.map((row: any) => [String(row.student_id), row.status]),
      [[school.s2, 'absent']]
    )

    const later = await created(
      teacher.post('/live_sessions').json({
        course_id: school.course,
        title: 'Next week',
        starts_at: at(24 * 7),
        ends_at: at(24 * 7 + 1),
        provider: 'bbb',
      })
    )
    const early = await as(school, 'student').post(`/live_sessions/${later.id}/join`).json({})
    early.assertStatus(409)
    assert.equal(errorCode(early), 'ERR_LMS_SESSION_NOT_OPEN')
  })
})

test.group('LMS: assignments due soon', () => {
  test('the sweep announces each assignment once, and again after its due date moves', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    assert.isDefined(registeredJob('lms.assignment_due_soon'))
    // Earlier tests may have left assignments due soon: a first sweep takes them.
    await school.run(() => announceDueSoon())

    const soon = await newAssignment(school, { due_at: at(3) })
    await newAssignment(school, { due_at: at(30) })
    await handIn(school, soon.id, 'student')

    const first = await school.run(() => announceDueSoon())
    assert.deepEqual(first, { announced: 1 })
    const marked = await as(school, 'teacher').get(`/assignments/${soon.id}`)
    assert.isString(marked.body().data.due_soon_notified_at)

    const second = await school.run(() => announceDueSoon())
    assert.deepEqual(second, { announced: 0 })

    ;(
      await as(school, 'teacher')
        .patch(`/assignments/${soon.id}`)
        .json({ due_at: at(5) })
    ).assertStatus(200)
    const rearmed = await school.run(() => announceDueSoon())
    assert.deepEqual(rearmed, { announced: 1 })
  })
})
