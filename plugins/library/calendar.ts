import { addDays, isoDate, readTenantDb, type CalendarEntry, type CalendarQuery } from '@oryne/sdk'
import { studentIdsReachedBy } from '../erp/index.js'

/**
 * Library dates for calendars (manifest `calendar`): the due dates of the
 * user's open loans (as a staff borrower, as a student, or as the guardian of
 * a student) and the last day to collect a reserved copy, as all-day entries
 * (YYYY-MM-DD, the tenant's calendar day) between `from` and `to`.
 */
export async function libraryCalendar({
  userId,
  from,
  to,
}: CalendarQuery): Promise<CalendarEntry[]> {
  const first = isoDate(from)
  // `to` is exclusive: an all-day entry on its date counts only if `to` is past midnight of it.
  const last = addDays(isoDate(to), -1) >= first ? addDays(isoDate(to), -1) : first
  const { loans, holds } = await readTenantDb(async (client, table) => {
    const students = studentIdsReachedBy(client, userId, table)
    const mine = (query: any) =>
      query.where((who: any) => who.where('x.user_id', userId).orWhereIn('x.student_id', students))
    return {
      loans: await mine(
        client
          .from(table('library_loans', 'x'))
          .join(table('library_titles', 't'), 't.id', 'x.title_id')
          .join(table('library_copies', 'c'), 'c.id', 'x.copy_id')
          .where('x.status', 'open')
          .whereBetween('x.due_on', [first, last])
      )
        .orderBy('x.due_on')
        .select('x.id', 'x.due_on', 't.title', 'c.barcode'),
      holds: await mine(
        client
          .from(table('library_reservations', 'x'))
          .join(table('library_titles', 't'), 't.id', 'x.title_id')
          .where('x.status', 'ready')
          .whereBetween('x.hold_until', [first, last])
      )
        .orderBy('x.hold_until')
        .select('x.id', 'x.hold_until', 't.title'),
    }
  })
  return [
    ...loans.map((loan: Record<string, any>) => ({
      uid: `loan-${loan.id}-due`,
      title: `Library book due: ${loan.title}`,
      starts_at: isoDate(loan.due_on),
      all_day: true,
      description: `Return or renew copy ${loan.barcode} by this day to avoid a fine.`,
      kind: 'library_loan_due',
    })),
    ...holds.map((hold: Record<string, any>) => ({
      uid: `reservation-${hold.id}-hold`,
      title: `Collect reserved book: ${hold.title}`,
      starts_at: isoDate(hold.hold_until),
      all_day: true,
      description: 'Last day the reserved copy waits at the library desk.',
      kind: 'library_hold_ends',
    })),
  ]
}
