import type { QueryClient, RowRule, TenantTable, Trx } from '@oryne/sdk'

/*
 * Who a signed-in user is in the ERP: students sign in as users linked to
 * their ERP student record by `user_id`, guardians as users linked to their
 * children's guardian records. Dependent plugins ask here (subqueries they
 * compose into one statement, row rules for their resources) instead of
 * reading erp_students and erp_guardians themselves.
 */

/** Inside withTenantDb the search_path names the tenant's tables. */
const inSearchPath: TenantTable = (name, alias = name) => `${name} as ${alias}`

/** The ERP students a user is (none or one), as a subquery: `whereIn('student_id', studentIdsOfUser(trx, id))`. */
export function studentIdsOfUser(client: QueryClient, userId: string, table = inSearchPath) {
  return client.from(table('erp_students', 'own')).where('own.user_id', userId).select('own.id')
}

/** The ERP students a user is a guardian of, as a subquery of student ids. */
export function childIdsOfGuardian(client: QueryClient, userId: string, table = inSearchPath) {
  return client
    .from(table('erp_guardians', 'ward'))
    .where('ward.user_id', userId)
    .select('ward.student_id')
}

/** The student a user is and the children they are a guardian of, as one subquery of student ids. */
export function studentIdsReachedBy(client: QueryClient, userId: string, table = inSearchPath) {
  return studentIdsOfUser(client, userId, table).union((children) =>
    children
      .from(table('erp_guardians', 'ward'))
      .where('ward.user_id', userId)
      .select('ward.student_id')
  )
}

/** The id of the ERP student a user is, or null for staff, guardians and unlinked users. */
export async function studentIdOfUser(client: QueryClient, userId: string): Promise<string | null> {
  const student = await studentIdsOfUser(client, userId).first()
  return student ? String(student.id) : null
}

/**
 * How a user stands to a student, in one statement: whether they are that
 * student (`self`) and whether they are a guardian of them (`guardian`).
 */
export async function standingTo(
  client: QueryClient,
  userId: string,
  studentId: string,
  table = inSearchPath
): Promise<{ self: boolean; guardian: boolean }> {
  const { rows } = await client.rawQuery(
    `SELECT EXISTS (
              SELECT 1 FROM ${table('erp_students', 's')} WHERE s.id = :student AND s.user_id = :user
            ) AS self,
            EXISTS (
              SELECT 1 FROM ${table('erp_guardians', 'g')} WHERE g.student_id = :student AND g.user_id = :user
            ) AS guardian`,
    { student: studentId, user: userId }
  )
  return { self: rows[0].self, guardian: rows[0].guardian }
}

/**
 * Row rule: the rows whose `column` (default `student_id`) is the ERP student
 * the principal is. For a Student role of a dependent plugin's resource.
 */
export function ownStudentRows(column = 'student_id'): RowRule {
  return (principal, query) => {
    query.whereIn(column, { table: 'erp_students', column: 'id', where: { user_id: principal.id } })
  }
}

/**
 * Row rule: the rows whose `column` (default `student_id`) is a child of the
 * principal (a guardian). For a Parent role of a dependent plugin's resource.
 */
export function childRows(column = 'student_id'): RowRule {
  return (principal, query) => {
    query.whereIn(column, {
      table: 'erp_guardians',
      column: 'student_id',
      where: { user_id: principal.id },
    })
  }
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
