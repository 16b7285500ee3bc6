import { COURSE_STATUSES } from './resources/courses.js'
import { SUBMISSION_STATUSES } from './resources/assignments.js'
import { defineStat, readTenantDb } from '@oryne/sdk'

/*
 * LMS figures of the dashboard (GET /api/v1/dashboard) for the people who
 * teach and run courses, cached per tenant and dropped by the events of the
 * records they count.
 */

const count = (value: unknown) => Number(value ?? 0)

/** Counts by `status` of an LMS table, with every known status present. */
async function byStatus(tableName: string, statuses: readonly string[]) {
  const rows = await readTenantDb((client, table) =>
    client.from(table(tableName)).groupBy('status').select('status').count('* as n')
  )
  const counts: Record<string, number> = Object.fromEntries(statuses.map((status) => [status, 0]))
  for (const row of rows) counts[row.status as string] = count(row.n)
  return { ...counts, total: Object.values(counts).reduce((sum, n) => sum + n, 0) }
}

export const coursesStat = defineStat({
  name: 'courses',
  label: 'Courses by status',
  permission: 'lms.submissions.grade',
  invalidatedBy: ['lms.courses.*'],
  compute: () => byStatus('lms_courses', COURSE_STATUSES),
})

export const submissionsStat = defineStat({
  name: 'submissions',
  label: 'Submissions by status',
  permission: 'lms.submissions.grade',
  invalidatedBy: ['lms.submission.created', 'lms.submissions.*', 'lms.grade.published'],
  ttlSeconds: 120,
  compute: () => byStatus('lms_submissions', SUBMISSION_STATUSES),
})

export const gradesStat = defineStat({
  name: 'grades',
  label: 'Grades',
  description: 'Grades given, released, and the average of the released ones in percent.',
  permission: 'lms.submissions.grade',
  invalidatedBy: ['lms.grade.published', 'lms.grades.*'],
  ttlSeconds: 120,
  async compute() {
    const [row] = await readTenantDb((client, table) =>
      client
        .from(table('lms_grades', 'g'))
        .join(table('lms_assignments', 'a'), 'a.id', 'g.assignment_id')
        .select(
          client.raw('count(*) AS given'),
          client.raw('count(*) FILTER (WHERE g.released) AS released'),
          client.raw(
            `round(avg(100 * g.final_points / nullif(a.max_points, 0)) FILTER (WHERE g.released), 2)::text AS average_percent`
          )
        )
    )
    return {
      given: count(row.given),
      released: count(row.released),
      average_percent: row.average_percent === null ? null : Number(row.average_percent),
    }
  },
})

export const lmsStats = [coursesStat, submissionsStat, gradesStat]
