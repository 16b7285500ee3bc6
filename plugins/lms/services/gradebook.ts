import { E_LMS_NOT_FOUND } from '../errors.js'
import { courseToView, visibleStudentIds } from './access.js'
import { erpRelation } from '../../erp/index.js'
import { readTenantDb, type Principal, type TenantTable } from '@oryne/sdk'

export type GradebookOptions = {
  /** Only released grades count (always so for students and guardians). */
  released_only?: boolean
  /** A published assignment past its cut-off (or due date) without a grade counts as 0. */
  missing_as_zero?: boolean
  student_id?: string
}

/** The bucket of assignments without a category: weight 100 less the categories' weights (never below 0). */
const UNCATEGORISED = '0'

/**
 * The final grade of every student of a course, in one statement:
 * - a student's score on an assignment is the final points (late penalty
 *   applied) of their latest graded attempt;
 * - a category's percentage is its points over its maximum, over the
 *   assignments with a score;
 * - the final percentage is the weighted average of the category
 *   percentages, over the categories with a score (weights are relative).
 * Numbers stay numeric until they leave PostgreSQL, as strings ("87.50").
 */
const GRADEBOOK_SQL = (t: TenantTable) => `
WITH roster AS (
  SELECT e.student_id, s.enrollment_no, s.first_name, s.last_name, e.status
    FROM ${t('lms_enrolments', 'e')}
    JOIN ${erpRelation('students', 's', t)} ON s.id = e.student_id
   WHERE e.course_id = :course AND e.status IN ('active', 'completed')
     AND (:all_students OR e.student_id = ANY(:students::bigint[]))
),
items AS (
  SELECT a.id, a.max_points, coalesce(a.category_id, 0) AS bucket,
         coalesce(coalesce(a.cut_off_at, a.due_at) < now(), false) AS closed
    FROM ${t('lms_assignments', 'a')}
   WHERE a.course_id = :course AND a.status = 'published'
),
latest AS (
  SELECT DISTINCT ON (g.student_id, g.assignment_id) g.student_id, g.assignment_id, g.final_points
    FROM ${t('lms_grades', 'g')}
   WHERE g.course_id = :course AND (NOT :released_only OR g.released)
   ORDER BY g.student_id, g.assignment_id, g.attempt DESC
),
cells AS (
  SELECT r.student_id, i.id AS assignment_id, i.bucket, i.max_points,
         CASE WHEN l.final_points IS NOT NULL THEN l.final_points
              WHEN :missing_as_zero AND i.closed THEN 0::numeric(8, 2) END AS points
    FROM roster r
   CROSS JOIN items i
    LEFT JOIN latest l ON l.student_id = r.student_id AND l.assignment_id = i.id
),
weights AS (
  SELECT w.id AS bucket, w.weight FROM ${t('lms_grade_categories', 'w')} WHERE w.course_id = :course
  UNION ALL
  SELECT 0, greatest(0, 100 - coalesce(
    (SELECT sum(x.weight) FROM ${t('lms_grade_categories', 'x')} WHERE x.course_id = :course), 0))
),
buckets AS (
  SELECT c.student_id, c.bucket, sum(c.points) / sum(c.max_points) AS ratio
    FROM cells c
   WHERE c.points IS NOT NULL
   GROUP BY c.student_id, c.bucket
),
finals AS (
  SELECT b.student_id,
         round(100 * sum(w.weight * b.ratio) / nullif(sum(w.weight), 0), 2) AS final_percent,
         jsonb_object_agg(b.bucket::text, round(100 * b.ratio, 2)::text) AS categories
    FROM buckets b
    JOIN weights w ON w.bucket = b.bucket
   GROUP BY b.student_id
),
scores AS (
  SELECT c.student_id, jsonb_object_agg(c.assignment_id::text, c.points::text) AS scores
    FROM cells c
   WHERE c.points IS NOT NULL
   GROUP BY c.student_id
)
SELECT r.student_id::text AS student_id, r.enrollment_no, r.first_name, r.last_name, r.status,
       f.final_percent::text AS final_percent,
       coalesce(f.categories, '{}'::jsonb) AS categories,
       coalesce(s.scores, '{}'::jsonb) AS scores
  FROM roster r
  LEFT JOIN finals f ON f.student_id = r.student_id
  LEFT JOIN scores s ON s.student_id = r.student_id
 ORDER BY r.enrollment_no, r.student_id`

/**
 * The gradebook of a course. Its teacher (and the unrestricted) see every
 * student, released grades or not; a student sees their own row and a
 * guardian their children's, released grades only.
 */
export async function gradebook(courseId: string, options: GradebookOptions, principal: Principal) {
  return readTenantDb(async (client, table) => {
    const db = { client, table }
    const { course, reach } = await courseToView(db, principal, courseId)
    const teaching = reach.staff || reach.teacher
    let students: string[] | null = teaching ? null : await visibleStudentIds(db, principal)
    if (options.student_id) {
      if (students && !students.includes(options.student_id))
        throw new E_LMS_NOT_FOUND(['Student', options.student_id])
      students = [options.student_id]
    }
    const releasedOnly = !teaching || options.released_only === true
    const bindings = {
      course: courseId,
      all_students: students === null,
      students: students ?? [],
      released_only: releasedOnly,
      missing_as_zero: options.missing_as_zero === true,
    }
    const [rows, assignments, categories] = await Promise.all([
      client.rawQuery(GRADEBOOK_SQL(table), bindings),
      client
        .from(table('lms_assignments', 'a'))
        .where('a.course_id', courseId)
        .where('a.status', 'published')
        .orderBy([{ column: 'a.due_at', order: 'asc', nulls: 'last' }, { column: 'a.id' }])
        .select('a.id', 'a.title', 'a.max_points', 'a.category_id', 'a.due_at'),
      client
        .from(table('lms_grade_categories', 'w'))
        .where('w.course_id', courseId)
        .orderBy('w.position')
        .orderBy('w.id')
        .select('w.id', 'w.name', 'w.weight'),
    ])
    return {
      course: { id: String(course.id), code: course.code, title: course.title },
      released_only: releasedOnly,
      missing_as_zero: bindings.missing_as_zero,
      categories: [
        ...categories.map((category: Record<string, any>) => ({
          id: String(category.id),
          name: category.name,
          weight: category.weight,
        })),
        { id: UNCATEGORISED, name: 'Uncategorised', weight: null },
      ],
      assignments: assignments.map((assignment: Record<string, any>) => ({
        id: String(assignment.id),
        title: assignment.title,
        max_points: assignment.max_points,
        category_id:
          assignment.category_id === null ? UNCATEGORISED : String(assignment.category_id),
        due_at: assignment.due_at,
      })),
      students: rows.rows.map((row: Record<string, any>) => ({
        student_id: row.student_id,
        enrollment_no: row.enrollment_no,
        name: `${row.first_name} ${row.last_name}`,
        enrolment_status: row.status,
        final_percent: row.final_percent,
        categories: row.categories,
        scores: row.scores,
      })),
    }
  })
}
