import type { Trx } from '@oryne/sdk'

/*
 * Who a signed-in user is in the ERP: students sign in as users linked to
 * their ERP student record by `user_id`. Dependent plugins ask here instead
 * of reading erp_students themselves.
 */

/** The ERP students a user is (none or one), as a subquery: `whereIn('student_id', studentIdsOfUser(trx, id))`. */
export function studentIdsOfUser(trx: Trx, userId: string) {
  return trx.from('erp_students').where('user_id', userId).select('id')
}

/** The id of the ERP student a user is, or null for staff, guardians and unlinked users. */
export async function studentIdOfUser(trx: Trx, userId: string): Promise<string | null> {
  const student = await studentIdsOfUser(trx, userId).first()
  return student ? String(student.id) : null
}
