import { type RowRule } from '@oryne/sdk'
import { childRows, ownStudentRows } from '../../erp/index.js'

/*
 * Row rules of the borrower records (members, loans, reservations, fines): a
 * Student sees their own, a Parent their children's (both through the ERP
 * student on the row), a Teacher the ones they borrowed themselves (through
 * the staff user on the row). Staff, the librarian's role, and TenantAdmin see
 * every row.
 */

const ownStudent = ownStudentRows()

const children = childRows()

const ownStaffAccount: RowRule = (principal, query) => {
  query.where('user_id', principal.id)
}

export function borrowerRecords(): Record<string, RowRule> {
  return { Student: ownStudent, Parent: children, Teacher: ownStaffAccount }
}
