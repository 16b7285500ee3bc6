import { type RowRule, type RowRuleQuery } from '@oryne/sdk'
import { childRows } from '../../erp/index.js'

/*
 * Row rules of the LMS resources. Each uses at most one sub-select, so two
 * things are denormalised for them:
 * - `lms_courses.teacher_user_id` (the user of the course's ERP teacher) and
 *   `student_user_id` on enrolments, submissions, grades and attendance (the
 *   user of the ERP student), kept by hooks and by the plugin's ERP event hooks;
 * - `lms_course_audience`, a view (migration 0002) of who reaches a course:
 *   its teacher, its enrolled students and their guardians, as
 *   (course_id, user_id, via). Being a view it never goes stale when ERP
 *   guardian links change.
 * TenantAdmin, the platform and roles without a rule here (Staff) see every row.
 */

type Narrow = (query: RowRuleQuery) => void

const children = childRows()

/** Rows of courses the Teacher teaches. */
export function taughtCourses(column = 'course_id'): RowRule {
  return (principal, query) => {
    query.whereIn(column, {
      table: 'lms_courses',
      column: 'id',
      where: { teacher_user_id: principal.id },
    })
  }
}

/** Rows of courses the principal reaches as an enrolled student or as a guardian of one. */
export function audienceCourses(
  via: 'student' | 'guardian',
  column = 'course_id',
  narrow?: Narrow
): RowRule {
  return (principal, query) => {
    query.whereIn(column, {
      table: 'lms_course_audience',
      column: 'course_id',
      where: { user_id: principal.id, via },
    })
    narrow?.(query)
  }
}

/**
 * Course content (sections, materials, assignments, rubrics, categories, live
 * sessions): the course's teacher sees all of it, its students and their
 * guardians what `narrow` lets through (e.g. only published assignments).
 */
export function courseContent(narrow?: Narrow) {
  return {
    Teacher: taughtCourses(),
    Student: audienceCourses('student', 'course_id', narrow),
    Parent: audienceCourses('guardian', 'course_id', narrow),
  }
}

/**
 * Records of one student in a course (enrolments, submissions, grades,
 * attendance): the course's teacher sees them, a Student their own, a Parent
 * those of their children.
 */
export function studentRecords(narrow?: Narrow) {
  return {
    Teacher: taughtCourses(),
    Student: ((principal, query) => {
      query.where('student_user_id', principal.id)
      narrow?.(query)
    }) satisfies RowRule,
    Parent: (async (principal, query) => {
      await children(principal, query)
      narrow?.(query)
    }) satisfies RowRule,
  }
}
