import { test } from '@japa/runner'
import { seededRandom } from '@oryne/sdk'
import { sharedSchool, type School } from '@oryne/sdk/testing'
import { trainModel } from '../services/lifecycle.js'
import { evaluate } from '../services/evaluation.js'

/*
 * At-risk prediction: a school whose students' attendance, grades, late or
 * missing work and fees follow a hidden risk; the model is trained on it,
 * promoted, and lists students by risk to admins and to each teacher for
 * their own students. The history is written straight into the ERP's and
 * LMS's tables: a statistically shaped past (back-dated, late, graded work)
 * that their APIs would take thousands of requests to build, if at all.
 */

type Who = 'head' | 'teacher' | 'teacher2' | 'student'

const STUDENTS = 120
const DAY = 86_400_000

/**
 * Students with a hidden risk r: absent, late, behind on fees and failing more often as r grows.
 * `predictable`: later grades follow earlier ones closely (noise ±0.1), so that prior grades alone
 * already rank the outcome perfectly; otherwise grades are noisier (±0.3) and fall faster with r.
 */
async function seedSchool(school: School<Who>, teacherUserId: string, predictable = false) {
  const random = seededRandom(99)
  return school.db(async (trx) => {
    const [course] = await trx
      .insertQuery()
      .table('lms_courses')
      .insert({
        code: 'RISK',
        title: 'Risk course',
        teacher_user_id: teacherUserId,
        status: 'active',
      })
      .returning('id')
    const [other] = await trx
      .insertQuery()
      .table('lms_courses')
      .insert({ code: 'OTHER', title: 'Other course', status: 'active' })
      .returning('id')
    const assignments = await trx
      .insertQuery()
      .table('lms_assignments')
      .multiInsert(
        [course.id, other.id].flatMap((courseId) =>
          Array.from({ length: 6 }, (_, week) => ({
            course_id: courseId,
            title: `Week ${week}`,
            due_at: new Date(Date.now() - (7 - week) * 7 * DAY),
            max_points: 10,
            status: 'published',
          }))
        )
      )
      .returning(['id', 'course_id', 'due_at'])
    const taught: string[] = []
    const risky: string[] = []
    for (let n = 0; n < STUDENTS; n++) {
      const risk = random()
      const [student] = await trx
        .insertQuery()
        .table('erp_students')
        .insert({ enrollment_no: `R-${n}`, first_name: 'Pupil', last_name: `R${n}` })
        .returning('id')
      const courseId = n % 3 === 0 ? course.id : other.id
      if (courseId === course.id) taught.push(String(student.id))
      if (risk > 0.8) risky.push(String(student.id))
      await trx
        .insertQuery()
        .table('lms_enrolments')
        .insert({ course_id: courseId, student_id: student.id, status: 'active' })
      await trx
        .insertQuery()
        .table('erp_attendance_marks')
        .multiInsert(
          Array.from({ length: 20 }, (_, day) => ({
            student_id: student.id,
            // Every third day over the last two months: most of it before the prediction date.
            date: new Date(Date.now() - (3 * day + 1) * DAY).toISOString().slice(0, 10),
            status: random() < 0.05 + 0.3 * risk ? 'absent' : 'present',
          }))
        )
      for (const [week, assignment] of assignments
        .filter((a) => a.course_id === courseId)
        .entries()) {
        if (random() < 0.4 * risk) continue // missing work
        const [submission] = await trx
          .insertQuery()
          .table('lms_submissions')
          .insert({
            assignment_id: assignment.id,
            course_id: courseId,
            student_id: student.id,
            attempt: 1,
            status: 'graded',
            submitted_at: assignment.due_at,
            late: random() < 0.6 * risk,
          })
          .returning('id')
        const share = Math.min(
          1,
          Math.max(
            0,
            predictable
              ? 0.9 - 0.6 * risk - 0.04 * risk * week + 0.2 * (random() - 0.5)
              : 0.85 - 0.3 * risk - 0.06 * risk * week + 0.6 * (random() - 0.5)
          )
        )
        const points = Math.round(share * 1000) / 100
        await trx
          .insertQuery()
          .table('lms_grades')
          .insert({
            submission_id: submission.id,
            assignment_id: assignment.id,
            course_id: courseId,
            student_id: student.id,
            attempt: 1,
            points,
            penalty_percent: 0,
            final_points: points,
            released: true,
            released_at: new Date(),
            graded_at: new Date(new Date(assignment.due_at).getTime() + DAY),
          })
      }
      if (random() < risk - 0.3)
        await trx
          .insertQuery()
          .table('erp_invoices')
          .insert({
            number: `INV-R-${n}`,
            student_id: student.id,
            issued_on: '2026-01-10',
            due_on: '2026-02-10',
            amount: 50_000,
            status: 'open',
          })
    }
    return { taught, risky }
  })
}

const schoolFor = sharedSchool(
  {
    plugins: ['ai'],
    people: { head: 'TenantAdmin', teacher: 'Teacher', teacher2: 'Teacher', student: 'Student' },
  },
  (school: School<Who>) => seedSchool(school, school.people.teacher.id)
)

/** The same school where prior grades alone predict the outcome perfectly. */
const predictableSchoolFor = sharedSchool(
  {
    plugins: ['ai'],
    people: { head: 'TenantAdmin', teacher: 'Teacher', teacher2: 'Teacher', student: 'Student' },
  },
  (school: School<Who>) => seedSchool(school, school.people.teacher.id, true)
)

test.group('AI: at-risk students', () => {
  test('nothing is listed before a model is promoted', async ({ client, assert }) => {
    const school = await schoolFor(client)
    const response = await school.as('head').get('/ai/at-risk')
    response.assertStatus(409)
    assert.equal(response.body().error.code, 'ERR_AI_NO_MODEL')
  })

  test('the model trained on the school is promoted and ranks the risky students first, with their top features', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const evaluation = await school.run(() => evaluate('at_risk'))
    assert.isAbove(evaluation.rows[0].metrics.auc, 0.8)
    // Features from before the prediction date, labels after it: the model beats each single signal.
    for (const baseline of evaluation.rows.slice(1))
      assert.isAbove(evaluation.rows[0].metrics.auc, baseline.metrics.auc + 0.01)
    const trained = await school.run(() => trainModel('at_risk', 'test'))
    assert.isTrue(trained.promoted)

    const response = await school.as('head').get('/ai/at-risk?limit=1000')
    response.assertStatus(200)
    const { students } = response.body().data
    assert.lengthOf(students, STUDENTS)
    const risks = students.map((s: { risk: number }) => s.risk)
    assert.deepEqual(
      risks,
      [...risks].sort((a, b) => b - a)
    )
    // The students with the highest hidden risk sit near the top (at random their mean rank would be the middle).
    const ranks = students
      .map((s: { student_id: string }, rank: number) =>
        school.risky.includes(s.student_id) ? rank : -1
      )
      .filter((rank: number) => rank >= 0)
    const meanRank = ranks.reduce((sum: number, rank: number) => sum + rank, 0) / ranks.length
    assert.isBelow(meanRank, STUDENTS * 0.3)
    const first = students[0]
    assert.sameMembers(Object.keys(first.features), [
      'attendance_rate',
      'prior_grade_mean',
      'grade_trend',
      'late_or_missing_rate',
      'fee_arrears',
    ])
    assert.isAtLeast(first.top_features.length, 1)
    for (const entry of first.top_features) assert.isAbove(entry.contribution, 0)

    const filtered = await school.as('head').get('/ai/at-risk?min_risk=0.5&limit=5')
    filtered.assertStatus(200)
    assert.isAtMost(filtered.body().data.students.length, 5)
    for (const student of filtered.body().data.students) assert.isAtLeast(student.risk, 0.5)
  })

  test('a model that does not beat the best single-signal baseline by the margin is not promoted', async ({
    client,
    assert,
  }) => {
    const school = await predictableSchoolFor(client)
    const evaluation = await school.run(() => evaluate('at_risk'))
    const [model, attendance, grades] = evaluation.rows
    assert.deepEqual(
      [model.name, attendance.name, grades.name],
      ['model (logistic)', 'attendance alone', 'prior grades alone']
    )
    assert.isAtLeast(grades.metrics.auc + 0.01, model.metrics.auc)
    const trained = await school.run(() => trainModel('at_risk', 'test'))
    assert.isFalse(trained.promoted)
    const response = await school.as('head').get('/ai/at-risk')
    response.assertStatus(409)
    assert.equal(response.body().error.code, 'ERR_AI_NO_MODEL')
  })

  test('a teacher sees their own students only; students may not list anyone; bad queries are 400', async ({
    client,
    assert,
  }) => {
    const school = await schoolFor(client)
    const teacher = await school.as('teacher').get('/ai/at-risk?limit=1000')
    teacher.assertStatus(200)
    assert.sameMembers(
      teacher.body().data.students.map((s: { student_id: string }) => s.student_id),
      school.taught
    )
    const teacher2 = await school.as('teacher2').get('/ai/at-risk')
    teacher2.assertStatus(200)
    assert.deepEqual(teacher2.body().data.students, [])
    const student = await school.as('student').get('/ai/at-risk')
    student.assertStatus(403)
    for (const query of ['limit=0', 'min_risk=2', 'limit=abc']) {
      const bad = await school.as('head').get(`/ai/at-risk?${query}`)
      bad.assertStatus(400)
    }
  })
})
