import { overdueFine } from './fines.js'
import { joinErp } from '../../erp/index.js'
import { daysBetween, isoDate, readTenantDb, tenantContext, tenantToday } from '@oryne/sdk'

/**
 * Open loans past their due date (tenant time zone), the longest overdue
 * first, with the fine accrued so far (what returning today would charge).
 */
export async function overdueReport() {
  const today = tenantToday()
  const rows = await readTenantDb((client, table) =>
    joinErp(
      client
        .from(table('library_loans', 'l'))
        .join(table('library_copies', 'c'), 'c.id', 'l.copy_id')
        .join(table('library_titles', 't'), 't.id', 'l.title_id')
        .join(table('library_members', 'm'), 'm.id', 'l.member_id'),
      'students',
      's',
      'l.student_id',
      { left: true, table }
    )
      .leftJoin(table('users', 'u'), 'u.id', 'l.user_id')
      .where('l.status', 'open')
      .where('l.due_on', '<', today)
      .orderBy('l.due_on')
      .orderBy('l.id')
      .select(
        'l.id',
        'l.due_on',
        'l.issued_at',
        'l.fine_per_day',
        'l.fine_cap',
        'l.student_id',
        'l.user_id',
        'c.barcode',
        't.title',
        'm.card_no',
        's.enrollment_no',
        's.first_name',
        's.last_name',
        'u.name as staff_name'
      )
  )
  const loans = rows.map((row) => ({
    loan_id: String(row.id),
    barcode: row.barcode,
    title: row.title,
    card_no: row.card_no,
    borrower: row.student_id ? `${row.first_name} ${row.last_name}` : row.staff_name,
    enrollment_no: row.enrollment_no ?? null,
    student_id: row.student_id ? String(row.student_id) : null,
    user_id: row.user_id ?? null,
    due_on: isoDate(row.due_on),
    days_overdue: daysBetween(isoDate(row.due_on), today),
    fine_accrued: overdueFine(row, today).amount,
  }))
  return {
    as_of: today,
    currency: tenantContext.require().settings.currency,
    loans,
    total_fine_accrued: loans.reduce((sum, loan) => sum + loan.fine_accrued, 0),
  }
}
