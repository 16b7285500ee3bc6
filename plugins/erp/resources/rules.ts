import { type RowRule } from '@oryne/sdk'

/*
 * Row rules shared by the ERP resources: a Student sees the records of their own
 * student profile, a Parent those of the children they are a guardian of.
 */

/** Rows whose `column` is a student id: the student's own rows. */
export function ownStudentRows(column = 'student_id'): RowRule {
  return (principal, query) => {
    query.whereIn(column, { table: 'erp_students', column: 'id', where: { user_id: principal.id } })
  }
}

/** Rows whose `column` is a student id: the rows of the guardian's children. */
export function childrenRows(column = 'student_id'): RowRule {
  return (principal, query) => {
    query.whereIn(column, {
      table: 'erp_guardians',
      column: 'student_id',
      where: { user_id: principal.id },
    })
  }
}

/** Row rules for a resource owned by a student through `column`. */
export function studentOwned(column = 'student_id') {
  return { Student: ownStudentRows(column), Parent: childrenRows(column) }
}
