import { type RowRule } from '@oryne/sdk'

/*
 * Row rules of the transport records of one passenger (assignments, their
 * history, term charges, trip marks): a Student sees their own, a Parent
 * their children's, a Teacher (a staff passenger) their own by `user_id`.
 * TenantAdmin, Staff (the transport office) and the platform see every row.
 */

const ownStudent: RowRule = (principal, query) => {
  query.whereIn('student_id', {
    table: 'erp_students',
    column: 'id',
    where: { user_id: principal.id },
  })
}

const children: RowRule = (principal, query) => {
  query.whereIn('student_id', {
    table: 'erp_guardians',
    column: 'student_id',
    where: { user_id: principal.id },
  })
}

/** Records of students only (trip marks, term charges). */
export function studentRecords(): Record<string, RowRule> {
  return { Student: ownStudent, Parent: children }
}

/** Records of a student or a staff passenger. */
export function passengerRecords(): Record<string, RowRule> {
  return {
    Student: ownStudent,
    Parent: children,
    Teacher: (principal, query) => {
      query.where('user_id', principal.id)
    },
  }
}
