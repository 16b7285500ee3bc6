import { E_LMS_NOT_FOUND } from '../errors.js'
import { visibleStudentIds } from './access.js'
import { listStudents } from '../../erp/index.js'
import { readTenantDb, type Principal, type TenantTable } from '@oryne/sdk'

export type WorkDueQuery = {
  page: number
  per_page: number
  /** Only work due up to this instant (undated work left out): the home widget's week. */
  until?: Date
  /** One of the caller's students (a parent's child). */
  student_id?: string
}

/**
 * The work still open to a student, across every course they are actively
 * enrolled in: published assignments due from now on or undated, whatever
 * the student did with them, and those past due that still take work (before
 * the cut-off, or with no cut-off and late work accepted) while nothing is
 * handed in. With the latest attempt of that student, by due date.
 */
const WORK_DUE_SQL = (t: TenantTable) => `
WITH work AS (
  SELECT a.id, a.title, a.course_id, a.due_at, a.cut_off_at, a.max_points, a.late_policy,
         e.student_id, s.id AS submission_id, s.attempt, s.status AS submission_status,
         s.submitted_at, s.late
    FROM ${t('lms_assignments', 'a')}
    JOIN ${t('lms_enrolments', 'e')} ON e.course_id = a.course_id AND e.status = 'active'
    LEFT JOIN LATERAL (
      SELECT x.id, x.attempt, x.status, x.submitted_at, x.late
        FROM ${t('lms_submissions', 'x')}
       WHERE x.assignment_id = a.id AND x.student_id = e.student_id
       ORDER BY x.attempt DESC
       LIMIT 1
    ) s ON true
   WHERE e.student_id = ANY(:students::bigint[])
     AND a.status = 'published'
     AND (a.cut_off_at IS NULL OR a.cut_off_at > now())
     AND (a.due_at IS NULL OR a.due_at >= now()
          OR ((a.cut_off_at IS NOT NULL OR a.late_policy <> 'reject')
              AND (s.status IS NULL OR s.status = 'draft')))
     AND (:until = '' OR a.due_at <= NULLIF(:until, '')::timestamptz)
)
SELECT w.*, c.code AS course_code, c.title AS course_title, count(*) OVER () AS total
  FROM work w
  JOIN ${t('lms_courses', 'c')} ON c.id = w.course_id
 ORDER BY w.due_at ASC NULLS LAST, w.id, w.student_id
 LIMIT :limit OFFSET :offset`

/** The students whose work the caller follows: a Student their own, a Parent their children. */
async function followedStudents(principal: Principal) {
  if (principal.kind !== 'user') return []
  const roles = principal.roles.filter((role) => role === 'Student' || role === 'Parent')
  if (!roles.length) return []
  // As a Student or Parent only: a TenantAdmin who is also a parent follows their children, not the school.
  return readTenantDb(
    async (client, table) =>
      (await visibleStudentIds({ client, table }, { ...principal, roles })) ?? []
  )
}

/** One page of open work of `students`, and how many rows there are in all. */
function openWork(students: string[], until: Date | undefined, limit: number, offset: number) {
  return readTenantDb(async (client, table) => {
    const answer = await client.rawQuery(WORK_DUE_SQL(table), {
      students,
      until: until?.toISOString() ?? '',
      limit,
      offset,
    })
    return answer.rows as Array<Record<string, any>>
  })
}

/**
 * What is due for the signed-in student, or for a parent's children (each
 * row names its student): one page, by due date (undated last).
 */
export async function workDue(principal: Principal, query: WorkDueQuery) {
  let students = await followedStudents(principal)
  if (query.student_id) {
    if (!students.includes(query.student_id))
      throw new E_LMS_NOT_FOUND(['Student', query.student_id])
    students = [query.student_id]
  }
  const offset = (query.page - 1) * query.per_page
  const rows = students.length ? await openWork(students, query.until, query.per_page, offset) : []
  // Past the last page no row carries the total: it is counted from the first page.
  const counted =
    rows.length || !offset || !students.length ? rows : await openWork(students, query.until, 1, 0)
  const total = Number(counted[0]?.total ?? 0)
  const ids = [...new Set(rows.map((row) => String(row.student_id)))]
  const names = new Map(
    (ids.length ? await listStudents(ids) : []).map((student) => [student.id, student.name])
  )
  return {
    rows: rows.map((row) => ({
      assignment_id: String(row.id),
      title: row.title as string,
      course: { id: String(row.course_id), code: row.course_code, title: row.course_title },
      due_at: row.due_at,
      cut_off_at: row.cut_off_at,
      max_points: row.max_points,
      late_policy: row.late_policy,
      student: { id: String(row.student_id), name: names.get(String(row.student_id)) ?? null },
      latest_attempt:
        row.submission_id === null
          ? null
          : {
              id: String(row.submission_id),
              attempt: row.attempt,
              status: row.submission_status,
              submitted_at: row.submitted_at,
              late: row.late,
            },
    })),
    pagination: {
      page: query.page,
      per_page: query.per_page,
      total,
      last_page: Math.max(1, Math.ceil(total / query.per_page)),
    },
  }
}
