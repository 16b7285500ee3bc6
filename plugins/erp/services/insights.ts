import { readTenantDb } from '@oryne/sdk'

/** The end of an open window (a date no record reaches). */
const NO_END = new Date('9999-12-31T00:00:00Z')

/*
 * Read services over students, attendance and fees for plugins that depend on
 * the ERP (the AI's at-risk prediction and peer groups). Each is one
 * statement over a batch of students, so that a caller reading a whole
 * school makes one round trip per signal, not one per student. Reads join
 * the caller's open tenant transaction, if any.
 */

export type StudentIdentity = { id: string; user_id: string | null; name: string }

/** Students by id (every student when `studentIds` is null), ordered by id. */
export async function listStudents(studentIds: string[] | null): Promise<StudentIdentity[]> {
  return readTenantDb(async (client, table) => {
    const { rows } = await client.rawQuery(
      `SELECT s.id::text AS id, s.user_id, s.first_name || ' ' || s.last_name AS name
         FROM ${table('erp_students', 's')}
        WHERE :all OR s.id = ANY(:students::bigint[])
        ORDER BY s.id`,
      { all: studentIds === null, students: studentIds ?? [] }
    )
    return rows.map((row: Record<string, any>) => ({
      id: row.id,
      user_id: row.user_id === null ? null : String(row.user_id),
      name: row.name,
    }))
  })
}

/**
 * The attendance rate of each student over all their marks (those before
 * `window.before`, when given): present, late and excused count as attended,
 * absent does not. Students without marks are absent from the map.
 */
export async function attendanceRates(
  studentIds: string[],
  window: { before?: Date } = {}
): Promise<Map<string, number>> {
  return readTenantDb(async (client, table) => {
    const { rows } = await client.rawQuery(
      `SELECT m.student_id::text AS student_id,
              avg(CASE WHEN m.status = 'absent' THEN 0.0 ELSE 1.0 END) AS rate
         FROM ${table('erp_attendance_marks', 'm')}
        WHERE m.student_id = ANY(:students::bigint[])
          AND m.date < :before::date
        GROUP BY m.student_id`,
      { students: studentIds, before: (window.before ?? NO_END).toISOString() }
    )
    return new Map(rows.map((row: Record<string, any>) => [row.student_id, Number(row.rate)]))
  })
}

/**
 * What each student owes on invoices past their due date (open or partially
 * paid), in minor units: amount less discount plus fine less paid, never
 * below 0 per invoice. Students who owe nothing overdue are absent from the map.
 */
export async function feeArrears(studentIds: string[]): Promise<Map<string, number>> {
  return readTenantDb(async (client, table) => {
    const { rows } = await client.rawQuery(
      `SELECT i.student_id::text AS student_id,
              sum(greatest(i.amount - coalesce(i.discount, 0) + coalesce(i.fine, 0) - coalesce(i.paid, 0), 0)) AS owed
         FROM ${table('erp_invoices', 'i')}
        WHERE i.status IN ('open', 'partially_paid') AND i.due_on < current_date
          AND i.student_id = ANY(:students::bigint[])
        GROUP BY i.student_id`,
      { students: studentIds }
    )
    return new Map(rows.map((row: Record<string, any>) => [row.student_id, Number(row.owed)]))
  })
}

/** The user ids of the other students (with an account) of the class of the student whose user this is. */
export async function classmateUserIds(userId: string): Promise<string[]> {
  return readTenantDb(async (client, table) => {
    const rows = await client
      .from(table('erp_students', 'me'))
      .join(table('erp_students', 'mate'), 'mate.class_id', 'me.class_id')
      .where('me.user_id', userId)
      .whereNotNull('mate.user_id')
      .whereNot('mate.user_id', userId)
      .distinct('mate.user_id')
    return rows.map((row) => String(row.user_id))
  })
}

/** Whether a user is a guardian of the student whose user is `studentUserId`. */
export async function isGuardianOf(guardianUserId: string, studentUserId: string) {
  return readTenantDb(async (client, table) =>
    Boolean(
      await client
        .from(table('erp_guardians', 'g'))
        .join(table('erp_students', 's'), 's.id', 'g.student_id')
        .where('g.user_id', guardianUserId)
        .where('s.user_id', studentUserId)
        .first()
    )
  )
}
