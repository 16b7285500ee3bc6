import { readTenantDb } from '@oryne/sdk'

/** The bounds of an open window (a date no record reaches). */
const NO_START = new Date(0)
const NO_END = new Date('9999-12-31T00:00:00Z')

/*
 * Read services over courses, enrolments, grades and submissions for plugins
 * that depend on the LMS (the AI's at-risk prediction, plagiarism checks and
 * who-sees-whom). The per-student ones are one statement over a batch of
 * students, so that a caller reading a whole school makes one round trip per
 * signal. Reads join the caller's open tenant transaction, if any.
 */

/** The ERP students actively enrolled in a course the user teaches (`lms_courses.teacher_user_id`). */
export async function studentsTaughtBy(teacherUserId: string): Promise<string[]> {
  return readTenantDb(async (client, table) => {
    const rows = await client
      .from(table('lms_enrolments', 'e'))
      .join(table('lms_courses', 'c'), 'c.id', 'e.course_id')
      .where('e.status', 'active')
      .where('c.teacher_user_id', teacherUserId)
      .distinct('e.student_id')
    return rows.map((row) => String(row.student_id))
  })
}

export type GradeTrend = {
  /** Slope of the released grade shares (points over the maximum, 0–1) per week; 0 with one grade. */
  slope: number
  /** The mean released grade share. */
  mean: number
  /** How many released grades. */
  grades: number
}

/** A time window of records: graded, marked or due from `from` (inclusive) and before `before`. */
export type RecordWindow = { from?: Date; before?: Date }

/**
 * The trend of each student's released grades (graded within `window`, when
 * given: a prediction reads the grades before a date and learns from the ones
 * after it); students without one are absent from the map.
 */
export async function gradeTrends(
  studentIds: string[],
  window: RecordWindow = {}
): Promise<Map<string, GradeTrend>> {
  return readTenantDb(async (client, table) => {
    const { rows } = await client.rawQuery(
      `WITH grades AS (
         SELECT g.student_id, g.final_points / a.max_points AS share,
                extract(epoch FROM coalesce(g.graded_at, g.created_at)) / 604800 AS week
           FROM ${table('lms_grades', 'g')} JOIN ${table('lms_assignments', 'a')} ON a.id = g.assignment_id
          WHERE g.released AND g.student_id = ANY(:students::bigint[])
            AND coalesce(g.graded_at, g.created_at) >= :from::timestamptz
            AND coalesce(g.graded_at, g.created_at) < :before::timestamptz
       )
       SELECT student_id::text AS student_id, coalesce(regr_slope(share, week), 0) AS slope,
              avg(share) AS mean, count(*) AS n
         FROM grades GROUP BY student_id`,
      {
        students: studentIds,
        from: (window.from ?? NO_START).toISOString(),
        before: (window.before ?? NO_END).toISOString(),
      }
    )
    return new Map(
      rows.map((row: Record<string, any>) => [
        row.student_id,
        { slope: Number(row.slope), mean: Number(row.mean), grades: Number(row.n) },
      ])
    )
  })
}

export type WorkRecord = {
  /** Published assignments already due in the student's active enrolments. */
  due: number
  /** Of those, how many have no handed-in (non-draft) submission. */
  missing: number
  /** Of those, how many have a submission handed in late. */
  late: number
}

/** Late and missing work of each student; students with nothing due yet are absent from the map. */
export async function lateAndMissingWork(
  studentIds: string[],
  window: RecordWindow = {}
): Promise<Map<string, WorkRecord>> {
  return readTenantDb(async (client, table) => {
    const { rows } = await client.rawQuery(
      `WITH due AS (
         SELECT e.student_id, a.id AS assignment_id
           FROM ${table('lms_enrolments', 'e')} JOIN ${table('lms_assignments', 'a')} ON a.course_id = e.course_id
          WHERE e.status = 'active' AND a.status = 'published'
            AND a.due_at < now() AND a.due_at < :before::timestamptz
            AND e.student_id = ANY(:students::bigint[])
       )
       SELECT d.student_id::text AS student_id, count(*) AS due,
              count(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM ${table('lms_submissions', 'x')}
                 WHERE x.assignment_id = d.assignment_id AND x.student_id = d.student_id AND x.status <> 'draft')) AS missing,
              count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM ${table('lms_submissions', 'x')}
                 WHERE x.assignment_id = d.assignment_id AND x.student_id = d.student_id AND x.late)) AS late
         FROM due d GROUP BY d.student_id`,
      { students: studentIds, before: (window.before ?? NO_END).toISOString() }
    )
    return new Map(
      rows.map((row: Record<string, any>) => [
        row.student_id,
        { due: Number(row.due), missing: Number(row.missing), late: Number(row.late) },
      ])
    )
  })
}

/** Whether a user teaches a course that has the other user among its students. */
export async function teachesStudent(teacherUserId: string, studentUserId: string) {
  return readTenantDb(async (client, table) =>
    Boolean(
      await client
        .from(table('lms_course_audience', 'a'))
        .join(table('lms_courses', 'c'), 'c.id', 'a.course_id')
        .where('c.teacher_user_id', teacherUserId)
        .where('a.user_id', studentUserId)
        .where('a.via', 'student')
        .first()
    )
  )
}

/** Whether a user is the teacher of a course (`lms_courses.teacher_user_id`). */
export async function teachesCourse(teacherUserId: string, courseId: string) {
  return readTenantDb(async (client, table) =>
    Boolean(
      await client
        .from(table('lms_courses', 'c'))
        .where('c.id', courseId)
        .where('c.teacher_user_id', teacherUserId)
        .first()
    )
  )
}

export type SubmissionContent = {
  id: string
  course_id: string
  student_id: string
  text: string | null
  files: Array<{ key: string; name: string }>
}

/** A submission's text and files (any attempt, any status); null when there is none. */
export async function submissionContent(id: string): Promise<SubmissionContent | null> {
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
    files: (row.files ?? []) as SubmissionContent['files'],
  }
}

export type StudentEnrolment = {
  id: string
  course_id: string
  student_user_id: string
  enrolled_at: Date
}

/**
 * Who took which course: the active or completed enrolments of students who
 * have an account, oldest first (the AI records them as interactions when a
 * school starts without the enrolment events, e.g. the demo school).
 */
export async function studentEnrolments(): Promise<StudentEnrolment[]> {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('lms_enrolments', 'e'))
      .whereIn('e.status', ['active', 'completed'])
      .whereNotNull('e.student_user_id')
      .orderBy([{ column: 'e.created_at' }, { column: 'e.id' }])
      .select('e.id', 'e.course_id', 'e.student_user_id', 'e.created_at')
  )
  return rows.map((row) => ({
    id: String(row.id),
    course_id: String(row.course_id),
    student_user_id: String(row.student_user_id),
    enrolled_at: new Date(row.created_at),
  }))
}

/** The ids of the handed-in (non-draft) submissions to the courses a user teaches, oldest first. */
export async function handedInSubmissions(teacherUserId: string): Promise<string[]> {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('lms_submissions', 's'))
      .join(table('lms_courses', 'c'), 'c.id', 's.course_id')
      .where('c.teacher_user_id', teacherUserId)
      .whereNot('s.status', 'draft')
      .orderBy([{ column: 's.submitted_at' }, { column: 's.id' }])
      .select('s.id')
  )
  return rows.map((row) => String(row.id))
}

/**
 * How courses are named, by id: `<title> (<code>)`. A course's name is public
 * within the school (the AI names the courses it recommends, which the user
 * has not taken and so cannot read through the LMS's row rules).
 */
export async function courseNames(ids: string[]): Promise<Map<string, string>> {
  // Course ids are numbers; anything else (an item id from elsewhere) names no course.
  const numeric = ids.filter((id) => /^\d{1,18}$/.test(id))
  if (!numeric.length) return new Map()
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('lms_courses', 'c'))
      .whereIn('c.id', numeric)
      .select('c.id', 'c.code', 'c.title')
  )
  return new Map(
    rows.map((row) => [String(row.id), row.code ? `${row.title} (${row.code})` : row.title])
  )
}
