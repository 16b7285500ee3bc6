import { type RowRule } from '@oryne/sdk'
import { childRows, ownStudentRows } from '../../erp/index.js'

/*
 * Row rules of the hostel resources. A Student sees the records of their own
 * ERP student profile, a Parent those of their children, and a Teacher (a
 * staff occupant) their own as a resident (`user_id`). Rooms are reached
 * through `hostel_room_residents` (migration 0002), a view of who lives in
 * which room now: the resident and, for a student, their guardians.
 * TenantAdmin, Staff (the hostel office) and the platform see every row.
 */

/** Rows of one resident: the student's own, a guardian's children's, a staff member's own. */
export function residentRecords(): Record<string, RowRule> {
  return {
    Student: ownStudentRows(),
    Parent: childRows(),
    Teacher: (principal, query) => {
      query.where('user_id', principal.id)
    },
  }
}

/** Rooms the principal lives in, or a child of theirs does. */
export function ownRooms(column = 'id'): Record<string, RowRule> {
  const rule: RowRule = (principal, query) => {
    query.whereIn(column, {
      table: 'hostel_room_residents',
      column: 'room_id',
      where: { user_id: principal.id },
    })
  }
  return { Student: rule, Parent: rule, Teacher: rule }
}
