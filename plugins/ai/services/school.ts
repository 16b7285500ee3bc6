import { readTenantDb, type Principal } from '@oryne/sdk'

/*
 * Reads of the school's records (ERP students and guardians, LMS courses,
 * enrolments and submissions) the AI plugin needs: peers for cold-start
 * popularity, who may see whom, submissions to check, features of at-risk
 * students. Read-only, and kept in this one file so that the day the LMS and
 * ERP export read services for them, only this file changes.
 */

const NARROWED = new Set(['Teacher', 'Student', 'Parent'])

/** No row rule narrows the principal: the platform, TenantAdmin, Staff and custom roles (as in the LMS). */
export function unrestricted(principal: Principal) {
  return (
    principal.kind === 'platform' ||
    principal.roles.includes('TenantAdmin') ||
    principal.roles.length === 0 ||
    principal.roles.some((role) => !NARROWED.has(role))
  )
}

/**
 * The peer groups of a user, narrowest first: their classmates (students of
 * the same ERP class), then holders of the same roles, then everyone (null).
 */
export async function peersOf(userId: string): Promise<Array<string[] | null>> {
  return readTenantDb(async (client, table) => {
    const classmates = await client
      .from(table('erp_students', 'me'))
      .join(table('erp_students', 'mate'), 'mate.class_id', 'me.class_id')
      .where('me.user_id', userId)
      .whereNotNull('mate.user_id')
      .whereNot('mate.user_id', userId)
      .distinct('mate.user_id')
    const sameRole = await client
      .from(table('user_roles', 'mine'))
      .join(table('user_roles', 'theirs'), 'theirs.role_id', 'mine.role_id')
      .where('mine.user_id', userId)
      .whereNot('theirs.user_id', userId)
      .distinct('theirs.user_id')
    const groups: Array<string[] | null> = []
    if (classmates.length) groups.push(classmates.map((row) => String(row.user_id)))
    if (sameRole.length) groups.push(sameRole.map((row) => String(row.user_id)))
    groups.push(null)
    return groups
  })
}

/** Whether the principal may see a user's recommendations (and so learn what they took). */
export async function seesUser(principal: Principal, userId: string): Promise<boolean> {
  return readTenantDb(async (client, table) => {
    const exists = await client.from(table('users', 'u')).where('u.id', userId).first()
    if (!exists) return false
    if (unrestricted(principal)) return true
    if (principal.kind !== 'user') return false
    if (principal.roles.includes('Teacher')) {
      const taught = await client
        .from(table('lms_course_audience', 'a'))
        .join(table('lms_courses', 'c'), 'c.id', 'a.course_id')
        .where('c.teacher_user_id', principal.id)
        .where('a.user_id', userId)
        .where('a.via', 'student')
        .first()
      if (taught) return true
    }
    if (principal.roles.includes('Parent')) {
      const child = await client
        .from(table('erp_guardians', 'g'))
        .join(table('erp_students', 's'), 's.id', 'g.student_id')
        .where('g.user_id', principal.id)
        .where('s.user_id', userId)
        .first()
      if (child) return true
    }
    return false
  })
}

/** Whether the principal sees the submissions of a course: unrestricted, or its teacher. */
export async function seesCourseWork(principal: Principal, courseId: string | null) {
  if (unrestricted(principal)) return true
  if (principal.kind !== 'user' || !principal.roles.includes('Teacher') || !courseId) return false
  return readTenantDb(async (client, table) =>
    Boolean(
      await client
        .from(table('lms_courses', 'c'))
        .where('c.id', courseId)
        .where('c.teacher_user_id', principal.id)
        .first()
    )
  )
}

export type SubmissionForCheck = {
  id: string
  course_id: string
  student_id: string
  text: string | null
  files: Array<{ key: string; name: string }>
}

/** A handed-in submission with its text and files; null when there is none. */
export async function submissionForCheck(id: string): Promise<SubmissionForCheck | null> {
  const row = await readTenantDb((client, table) =>
    client
      .from(table('lms_submissions', 's'))
      .where('s.id', id)
      .select('s.id', 's.course_id', 's.student_id', 's.text', 's.files')
      .first()
  )
  if (!row) return null
  return {
    id: String(row.id),
    course_id: String(row.course_id),
    student_id: String(row.student_id),
    text: row.text,
    files: (row.files ?? []) as SubmissionForCheck['files'],
  }
}

/** What the at-risk model reads about a student, from ERP and LMS records. */
export type StudentSignals = {
  student_id: string
  user_id: string | null
  name: string
  attendance_rate: number | null
  grade_trend: number
  late_or_missing_rate: number
  fee_arrears: number
  mean_grade: number | null
  grades: number
}

/**
 * The signals of students: every student, or those of the courses a teacher
 * teaches (`teacherUserId`). Attendance rate over all marks (present, late
 * and excused count as attended); grade trend as the slope of released grade
 * percentages per week; late or missing work over the assignments already
 * due; fee arrears as the overdue, unpaid balance in minor units.
 */
export async function studentSignals(teacherUserId?: string): Promise<StudentSignals[]> {
  return readTenantDb(async (client, table) => {
    const t = (name: string) => table(name).split(' as ')[0]
    const { rows } = await client.rawQuery(
      `WITH scope AS (
         SELECT s.id, s.user_id, s.first_name || ' ' || s.last_name AS name FROM ${t('erp_students')} s
          WHERE ?::uuid IS NULL OR EXISTS (
            SELECT 1 FROM ${t('lms_enrolments')} e JOIN ${t('lms_courses')} c ON c.id = e.course_id
             WHERE e.student_id = s.id AND e.status = 'active' AND c.teacher_user_id = ?::uuid)
       ), attendance AS (
         SELECT m.student_id, avg(CASE WHEN m.status = 'absent' THEN 0.0 ELSE 1.0 END) AS rate
           FROM ${t('erp_attendance_marks')} m WHERE m.student_id IN (SELECT id FROM scope) GROUP BY m.student_id
       ), grades AS (
         SELECT g.student_id, g.final_points / a.max_points AS share,
                extract(epoch FROM coalesce(g.graded_at, g.created_at)) / 604800 AS week
           FROM ${t('lms_grades')} g JOIN ${t('lms_assignments')} a ON a.id = g.assignment_id
          WHERE g.released AND g.student_id IN (SELECT id FROM scope)
       ), trend AS (
         SELECT student_id, coalesce(regr_slope(share, week), 0) AS slope, avg(share) AS mean, count(*) AS n
           FROM grades GROUP BY student_id
       ), due AS (
         SELECT e.student_id, a.id AS assignment_id
           FROM ${t('lms_enrolments')} e JOIN ${t('lms_assignments')} a ON a.course_id = e.course_id
          WHERE e.status = 'active' AND a.status = 'published' AND a.due_at < now()
            AND e.student_id IN (SELECT id FROM scope)
       ), work AS (
         SELECT d.student_id, count(*) AS due,
                count(*) FILTER (WHERE NOT EXISTS (
                  SELECT 1 FROM ${t('lms_submissions')} x
                   WHERE x.assignment_id = d.assignment_id AND x.student_id = d.student_id AND x.status <> 'draft')) AS missing,
                count(*) FILTER (WHERE EXISTS (
                  SELECT 1 FROM ${t('lms_submissions')} x
                   WHERE x.assignment_id = d.assignment_id AND x.student_id = d.student_id AND x.late)) AS late
           FROM due d GROUP BY d.student_id
       ), arrears AS (
         SELECT i.student_id,
                sum(greatest(i.amount - coalesce(i.discount, 0) + coalesce(i.fine, 0) - coalesce(i.paid, 0), 0)) AS owed
           FROM ${t('erp_invoices')} i
          WHERE i.status IN ('open', 'partially_paid') AND i.due_on < current_date
            AND i.student_id IN (SELECT id FROM scope)
          GROUP BY i.student_id
       )
       SELECT s.id::text AS student_id, s.user_id, s.name, a.rate AS attendance_rate,
              coalesce(t.slope, 0) AS grade_trend, t.mean AS mean_grade, coalesce(t.n, 0) AS grades,
              coalesce((w.missing + w.late)::float / nullif(w.due, 0), 0) AS late_or_missing_rate,
              coalesce(r.owed, 0) AS fee_arrears
         FROM scope s
         LEFT JOIN attendance a ON a.student_id = s.id
         LEFT JOIN trend t ON t.student_id = s.id
         LEFT JOIN work w ON w.student_id = s.id
         LEFT JOIN arrears r ON r.student_id = s.id
        ORDER BY s.id`,
      // A null teacher means every student.
      [teacherUserId ?? null, teacherUserId ?? null] as unknown as string[]
    )
    return rows.map((row: Record<string, any>) => ({
      student_id: row.student_id,
      user_id: row.user_id,
      name: row.name,
      attendance_rate: row.attendance_rate === null ? null : Number(row.attendance_rate),
      grade_trend: Number(row.grade_trend),
      late_or_missing_rate: Number(row.late_or_missing_rate),
      fee_arrears: Number(row.fee_arrears),
      mean_grade: row.mean_grade === null ? null : Number(row.mean_grade),
      grades: Number(row.grades),
    }))
  })
}
