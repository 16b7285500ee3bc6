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

/**
 * The rows of a dependent plugin's `table` (as `alias`) about a user: those of
 * the ERP student they are and, when the table also holds staff by `user_id`
 * (`staff`), their own. A guardian's children are other people: their rows are
 * not the guardian's personal data. For privacy export and erasure hooks.
 */
export function rowsAboutUser(
  trx: Trx,
  userId: string,
  table: string,
  alias: string,
  options: { staff: boolean } = { staff: true }
) {
  return trx.from(`${table} as ${alias}`).where((who) => {
    who.whereIn(`${alias}.student_id`, studentIdsOfUser(trx, userId))
    if (options.staff) who.orWhere(`${alias}.user_id`, userId)
  })
}
