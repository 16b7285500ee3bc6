import { defineTenantMigration } from '@oryne/sdk'

/**
 * Who reaches a course, for row rules that may use one sub-select only: its
 * teacher, its enrolled (active or completed) students and their guardians.
 * A view, so it follows ERP guardian links and enrolment changes at once.
 */
const COURSE_AUDIENCE = `CREATE VIEW lms_course_audience AS
  SELECT c.id AS course_id, c.teacher_user_id AS user_id, 'teacher'::text AS via
    FROM lms_courses c
   WHERE c.teacher_user_id IS NOT NULL
  UNION ALL
  SELECT e.course_id, e.student_user_id, 'student'::text
    FROM lms_enrolments e
   WHERE e.status IN ('active', 'completed') AND e.student_user_id IS NOT NULL
  UNION ALL
  SELECT e.course_id, g.user_id, 'guardian'::text
    FROM lms_enrolments e
    JOIN erp_guardians g ON g.student_id = e.student_id
   WHERE e.status IN ('active', 'completed') AND g.user_id IS NOT NULL`

/** Rules the services check first (with friendly errors), kept true for every writer. */
const CHECKS: Array<[table: string, name: string, condition: string]> = [
  [
    'lms_assignments',
    'lms_assignments_cut_off_after_due',
    'cut_off_at IS NULL OR (due_at IS NOT NULL AND cut_off_at >= due_at)',
  ],
  ['lms_assignments', 'lms_assignments_max_points_positive', 'max_points > 0'],
  ['lms_assignments', 'lms_assignments_penalty_range', 'late_penalty_percent BETWEEN 0 AND 100'],
  ['lms_submissions', 'lms_submissions_attempt_positive', 'attempt >= 1'],
  [
    'lms_grades',
    'lms_grades_points_range',
    'points >= 0 AND final_points >= 0 AND final_points <= points',
  ],
  ['lms_grade_categories', 'lms_grade_categories_weight_range', 'weight BETWEEN 0 AND 100'],
  ['lms_live_sessions', 'lms_live_sessions_ends_after_start', 'ends_at > starts_at'],
]

/**
 * What the resources cannot declare: uniqueness across several columns (one
 * enrolment per course and student, one row per attempt, one attendance mark
 * per session and student), checks across columns, the due-soon sweep's
 * partial index and the course audience view.
 */
export default defineTenantMigration({
  name: '0002_lms_workflows',
  up(schema) {
    schema
      .alterTable('lms_course_sections', (table) => table.unique(['course_id', 'name']))
      .alterTable('lms_enrolments', (table) => table.unique(['course_id', 'student_id']))
      .alterTable('lms_submissions', (table) =>
        table.unique(['assignment_id', 'student_id', 'attempt'])
      )
      .alterTable('lms_grade_categories', (table) => table.unique(['course_id', 'name']))
      .alterTable('lms_live_attendance', (table) => table.unique(['session_id', 'student_id']))
      // The gradebook reads a course's grades by student and assignment, latest attempt first.
      .alterTable('lms_grades', (table) =>
        table.index(
          ['course_id', 'student_id', 'assignment_id', 'attempt'],
          'lms_grades_gradebook_index'
        )
      )
    for (const [table, name, condition] of CHECKS) {
      schema.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${condition})`)
    }
    schema
      .raw(
        `CREATE INDEX lms_assignments_due_soon_index ON lms_assignments (due_at)
          WHERE status = 'published' AND due_soon_notified_at IS NULL`
      )
      .raw(COURSE_AUDIENCE)
  },
  down(schema) {
    schema
      .raw('DROP VIEW IF EXISTS lms_course_audience')
      .raw('DROP INDEX IF EXISTS lms_assignments_due_soon_index')
    for (const [table, name] of CHECKS)
      schema.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name}`)
    schema
      .alterTable('lms_grades', (table) => table.dropIndex([], 'lms_grades_gradebook_index'))
      .alterTable('lms_live_attendance', (table) => table.dropUnique(['session_id', 'student_id']))
      .alterTable('lms_grade_categories', (table) => table.dropUnique(['course_id', 'name']))
      .alterTable('lms_submissions', (table) =>
        table.dropUnique(['assignment_id', 'student_id', 'attempt'])
      )
      .alterTable('lms_enrolments', (table) => table.dropUnique(['course_id', 'student_id']))
      .alterTable('lms_course_sections', (table) => table.dropUnique(['course_id', 'name']))
  },
})
