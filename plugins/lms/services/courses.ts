import { E_COURSE_CLOSED, E_LMS_NOT_FOUND } from '../errors.js'
import { actorOf, courseToTeach, inTransaction, type Row } from './access.js'
import { assertUnchanged } from './validation.js'
import { erpRelation, findSection, findStudent, findTeacher } from '../../erp/index.js'
import {
  emitEvent,
  invalidField,
  recordAudit,
  withTenantDb,
  type OryneEvent,
  type Principal,
  type ResourceHooks,
  type Trx,
} from '@oryne/sdk'

async function teacherUserId(trx: Trx, teacherId: unknown): Promise<string | null> {
  if (teacherId === null || teacherId === undefined) return null
  const teacher = await findTeacher(trx, String(teacherId))
  if (!teacher) throw new E_LMS_NOT_FOUND(['Teacher', String(teacherId)])
  return teacher.user_id ?? null
}

/** Keeps `teacher_user_id` (row rules) in step with the course's ERP teacher. */
export const courseHooks: ResourceHooks = {
  async beforeCreate(data, { trx }) {
    data.teacher_user_id = await teacherUserId(trx, data.teacher_id)
  },
  async beforeUpdate(changes, _before, { trx }) {
    if ('teacher_id' in changes)
      changes.teacher_user_id = await teacherUserId(trx, changes.teacher_id)
  },
}

async function assertSectionOfCourse(trx: Trx, sectionId: unknown, courseId: unknown) {
  if (sectionId === null || sectionId === undefined) return
  const section = await trx
    .from('lms_course_sections')
    .where({ id: String(sectionId), course_id: String(courseId) })
    .first()
  if (!section) {
    throw invalidField(
      'course_section_id',
      'course',
      'The course section belongs to another course'
    )
  }
}

async function assertOpenCourse(trx: Trx, courseId: unknown) {
  const course = await trx
    .from('lms_courses')
    .where('id', String(courseId))
    .select('id', 'status')
    .first()
  if (!course) throw new E_LMS_NOT_FOUND(['Course', String(courseId)])
  if (course.status === 'archived') throw new E_COURSE_CLOSED([String(course.id), course.status])
}

/** Fills `student_user_id` from the ERP student; course and student never change afterwards. */
export const enrolmentHooks: ResourceHooks = {
  async beforeCreate(data, { trx }) {
    await assertOpenCourse(trx, data.course_id)
    const student = await findStudent(trx, String(data.student_id))
    if (!student) throw new E_LMS_NOT_FOUND(['Student', String(data.student_id)])
    await assertSectionOfCourse(trx, data.course_section_id, data.course_id)
    data.student_user_id = student.user_id ?? null
  },
  async beforeUpdate(changes, before, { trx }) {
    assertUnchanged(changes, before, ['course_id', 'student_id'])
    if ('course_section_id' in changes)
      await assertSectionOfCourse(trx, changes.course_section_id, before.course_id)
    if (changes.status === 'active' && before.status !== 'active')
      await assertOpenCourse(trx, before.course_id)
  },
}

/**
 * Enrols every active student of an ERP section in a course, in one
 * statement: new students are enrolled, dropped ones come back, enrolled ones
 * are left alone (running it twice changes nothing). The students land in the
 * course section linked to the ERP section, created on first use.
 */
export async function enrolSection(
  courseId: string,
  input: { section_id: string; course_section_id?: string },
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const course = await courseToTeach(inTransaction(trx), principal, courseId)
    if (course.status === 'archived') throw new E_COURSE_CLOSED([courseId, course.status])
    const section = await findSection(trx, input.section_id)
    if (!section) throw new E_LMS_NOT_FOUND(['Section', input.section_id])

    let courseSectionId = input.course_section_id ?? null
    if (courseSectionId) await assertSectionOfCourse(trx, courseSectionId, courseId)
    else {
      const name = [section.class_name, section.name].filter(Boolean).join(' ').slice(0, 120)
      const { rows } = await trx.rawQuery(
        `INSERT INTO lms_course_sections (course_id, name, erp_section_id)
         VALUES (?, ?, ?)
         ON CONFLICT (course_id, name) DO UPDATE SET erp_section_id = EXCLUDED.erp_section_id
         RETURNING id`,
        [courseId, name, section.id]
      )
      courseSectionId = String(rows[0].id)
    }

    const { rows: students } = await trx.rawQuery(
      `SELECT count(*)::int AS total FROM ${erpRelation('students', 's')}
        WHERE s.section_id = ? AND s.status = 'active'`,
      [section.id]
    )
    const { rows: changed } = await trx.rawQuery(
      `INSERT INTO lms_enrolments (course_id, student_id, student_user_id, course_section_id, status)
       SELECT ?, s.id, s.user_id, ?, 'active'
         FROM ${erpRelation('students', 's')}
        WHERE s.section_id = ? AND s.status = 'active'
       ON CONFLICT (course_id, student_id) DO UPDATE
          SET status = 'active',
              course_section_id = EXCLUDED.course_section_id,
              student_user_id = EXCLUDED.student_user_id,
              updated_at = now()
        WHERE lms_enrolments.status <> 'active'
       RETURNING *, (xmax = 0) AS inserted`,
      [courseId, courseSectionId, section.id]
    )
    const created = changed.filter((row: Row) => row.inserted)
    const reactivated = changed.length - created.length
    const actor = actorOf(principal)
    await recordAudit(trx, {
      actor,
      action: 'lms.enrolments.enrol_section',
      subject: `lms.courses:${courseId}`,
      data: { section_id: String(section.id), enrolled: created.length, reactivated },
      request_id: requestId,
    })
    for (const row of created) {
      const record = Object.fromEntries(Object.entries(row).filter(([name]) => name !== 'inserted'))
      await emitEvent(
        'lms.enrolments.created',
        { resource: 'lms.enrolments', id: String(record.id), record },
        actor
      )
    }
    return {
      course_id: courseId,
      course_section_id: courseSectionId,
      enrolled: created.length,
      reactivated,
      already_enrolled: Number(students[0].total) - changed.length,
    }
  })
}

/*
 * ERP event hooks: the denormalised user ids follow the ERP records they come
 * from. Guardian links need nothing: lms_course_audience reads them live.
 */

function recordId(event: OryneEvent) {
  const id = (event.payload as { id?: unknown }).id
  return id === undefined || id === null || !/^\d{1,18}$/.test(String(id)) ? null : String(id)
}

export async function syncTeacherUser(event: OryneEvent) {
  const teacherId = recordId(event)
  if (!teacherId) return
  await withTenantDb((trx) =>
    trx.rawQuery(
      `UPDATE lms_courses c SET teacher_user_id = t.user_id, updated_at = now()
         FROM ${erpRelation('teachers', 't')}
        WHERE t.id = ? AND c.teacher_id = t.id AND c.teacher_user_id IS DISTINCT FROM t.user_id`,
      [teacherId]
    )
  )
}

export async function syncStudentUser(event: OryneEvent) {
  const studentId = recordId(event)
  if (!studentId) return
  await withTenantDb(async (trx) => {
    for (const table of [
      'lms_enrolments',
      'lms_submissions',
      'lms_grades',
      'lms_live_attendance',
    ]) {
      await trx.rawQuery(
        `UPDATE ${table} r SET student_user_id = s.user_id
           FROM ${erpRelation('students', 's')}
          WHERE s.id = ? AND r.student_id = s.id AND r.student_user_id IS DISTINCT FROM s.user_id`,
        [studentId]
      )
    }
  })
}
