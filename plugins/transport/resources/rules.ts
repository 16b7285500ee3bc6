import { type RowRule } from '@oryne/sdk'
import { childRows, ownStudentRows } from '../../erp/index.js'

/*
 * Row rules of the transport records of one passenger (assignments, their
 * history, term charges, trip marks): a Student sees their own, a Parent
 * their children's, a Teacher (a staff passenger) their own by `user_id`.
 * TenantAdmin, Staff (the transport office) and the platform see every row.
 */

const ownStudent = ownStudentRows()

const children = childRows()

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
