import { insertRows, seededRandom, type DemoContext, type Trx } from '@oryne/sdk'
import { fromErp, joinErp } from '../erp/index.js'

const DAY = 86_400_000

/**
 * The LMS side of the demo school (after the ERP's): 20 courses, one per ERP
 * section with its teacher and students, two weighted grade categories each,
 * two homework assignments graded and released and an exam still to come.
 */
export async function seedLmsDemo(trx: Trx, _people: DemoContext) {
  const rand = seededRandom(11)
  const sections = await joinErp(fromErp(trx, 'sections', 's'), 'classes', 'c', 's.class_id')
    .orderBy('c.grade_level')
    .orderBy('s.name')
    .select('s.id', 's.name', 'c.name as class_name', 'c.grade_level')
  const teachers = await fromErp(trx, 'teachers', 't')
    .orderBy('t.employee_no')
    .select('t.id', 't.user_id')
  const subjects = await fromErp(trx, 'subjects', 'x').orderBy('x.code').select('x.code', 'x.name')
  if (!sections.length || !teachers.length || !subjects.length) return { courses: 0 }

  const now = Date.now()
  const courses = await insertRows(
    trx,
    'lms_courses',
    sections.slice(0, 20).map((section, i) => {
      const subject = subjects[i % subjects.length]
      const teacher = teachers[i % teachers.length]
      return {
        code: `${subject.code}-${section.grade_level}${section.name}`,
        title: `${subject.name}, ${section.class_name} ${section.name}`,
        description: `${subject.name} for ${section.class_name}, section ${section.name}.`,
        teacher_id: teacher.id,
        teacher_user_id: teacher.user_id,
        credits: '1.00',
        status: 'active',
      }
    })
  )
  const courseSections = await insertRows(
    trx,
    'lms_course_sections',
    courses.map((course, i) => ({
      course_id: course.id,
      name: 'Main',
      erp_section_id: sections[i].id,
      position: 1,
    }))
  )
  const students = await fromErp(trx, 'students', 's')
    .whereIn(
      's.section_id',
      sections.slice(0, 20).map((s) => s.id)
    )
    .select('s.id', 's.user_id', 's.section_id')
  const enrolments = await insertRows(
    trx,
    'lms_enrolments',
    courses.flatMap((course, i) =>
      students
        .filter((student) => String(student.section_id) === String(sections[i].id))
        .map((student) => ({
          course_id: course.id,
          student_id: student.id,
          student_user_id: student.user_id,
          course_section_id: courseSections[i].id,
          status: 'active',
        }))
    )
  )
  const categories = await insertRows(
    trx,
    'lms_grade_categories',
    courses.flatMap((course) => [
      { course_id: course.id, name: 'Homework', weight: '40.00', position: 1 },
      { course_id: course.id, name: 'Exams', weight: '60.00', position: 2 },
    ])
  )
  const categoryOf = (courseId: unknown, name: string) =>
    categories.find((c) => String(c.course_id) === String(courseId) && c.name === name)!.id
  const assignments = await insertRows(
    trx,
    'lms_assignments',
    courses.flatMap((course) =>
      [
        ['Homework 1', -21, 'Homework'],
        ['Homework 2', -7, 'Homework'],
        ['Mid-term exam', 5, 'Exams'],
      ].map(([title, days, category]) => ({
        course_id: course.id,
        title,
        instructions: `${title} of ${course.title}.`,
        due_at: new Date(now + Number(days) * DAY),
        cut_off_at: new Date(now + (Number(days) + 3) * DAY),
        max_points: '100.00',
        attempts_allowed: 1,
        late_policy: 'penalise',
        late_penalty_percent: '10.00',
        category_id: categoryOf(course.id, String(category)),
        status: 'published',
      }))
    )
  )

  // Homework is handed in by nine students in ten, graded and released; the exam is still ahead.
  const submissions: Record<string, unknown>[] = []
  for (const assignment of assignments.filter((a) => a.due_at.getTime() < now)) {
    for (const enrolment of enrolments.filter(
      (e) => String(e.course_id) === String(assignment.course_id)
    )) {
      if (rand() < 0.1) continue
      submissions.push({
        assignment_id: assignment.id,
        course_id: assignment.course_id,
        student_id: enrolment.student_id,
        student_user_id: enrolment.student_user_id,
        attempt: 1,
        text: 'My answers are attached.',
        status: 'returned',
        submitted_at: new Date(assignment.due_at.getTime() - DAY),
        returned_at: new Date(assignment.due_at.getTime() + 2 * DAY),
        late: false,
      })
    }
  }
  const saved = await insertRows(trx, 'lms_submissions', submissions)
  await insertRows(
    trx,
    'lms_grades',
    saved.map((submission) => {
      const points = (55 + Math.floor(rand() * 4500) / 100).toFixed(2)
      return {
        submission_id: submission.id,
        assignment_id: submission.assignment_id,
        course_id: submission.course_id,
        student_id: submission.student_id,
        student_user_id: submission.student_user_id,
        attempt: 1,
        points,
        penalty_percent: '0.00',
        final_points: points,
        feedback: 'Well done.',
        released: true,
        released_at: submission.returned_at,
        graded_at: submission.returned_at,
      }
    })
  )
  return { courses: courses.length, enrolments: enrolments.length, submissions: saved.length }
}
