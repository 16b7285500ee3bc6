import { librarySettings } from '../settings.js'
import { joinErp } from '../../erp/index.js'
import { expireHolds, holdWaitingCopies } from '../services/reservations.js'
import {
  addDays,
  daysBetween,
  defineJob,
  emitEvent,
  isoDate,
  tenantToday,
  withTenantDb,
} from '@oryne/sdk'

/** Each tenant's sweep runs hourly: reminders go out within the hour a loan enters its window. */
export const REMINDERS_CRON = '7 * * * *'

const BORROWER_USER = 'coalesce(l.user_id, s.user_id) AS user_id'

/**
 * The daily circulation sweep: emits `library.loan.due_soon` once for each
 * open loan due within `due_soon_days`, `library.loan.overdue` once for each
 * loan past due, ends holds nobody collected and holds idle copies for waiting members. Loans are marked in the
 * same transaction as their event (events leave after the commit) and rows
 * another sweep holds are skipped, so overlapping runs never announce twice;
 * a renewal re-arms the due-soon reminder.
 */
export async function sweepLoans() {
  const settings = await librarySettings()
  const today = tenantToday()
  const announced = await withTenantDb(async (trx) => {
    const dueSoon = await joinErp(trx.from('library_loans as l'), 'students', 's', 'l.student_id', {
      left: true,
    })
      .where('l.status', 'open')
      .whereNull('l.due_soon_notified_on')
      .where('l.due_on', '>=', today)
      .where('l.due_on', '<=', addDays(today, settings.due_soon_days))
      .orderBy('l.id')
      .forUpdate('l')
      .skipLocked()
      .select('l.id', 'l.title_id', 'l.copy_id', 'l.student_id', 'l.due_on', trx.raw(BORROWER_USER))
    for (const loan of dueSoon) {
      await trx.from('library_loans').where('id', loan.id).update({ due_soon_notified_on: today })
      await emitEvent('library.loan.due_soon', {
        loan_id: String(loan.id),
        title_id: String(loan.title_id),
        copy_id: String(loan.copy_id),
        user_id: loan.user_id,
        student_id: loan.student_id ? String(loan.student_id) : null,
        due_on: isoDate(loan.due_on),
      })
    }
    const overdue = await joinErp(trx.from('library_loans as l'), 'students', 's', 'l.student_id', {
      left: true,
    })
      .where('l.status', 'open')
      .whereNull('l.overdue_notified_on')
      .where('l.due_on', '<', today)
      .orderBy('l.id')
      .forUpdate('l')
      .skipLocked()
      .select('l.id', 'l.title_id', 'l.copy_id', 'l.student_id', 'l.due_on', trx.raw(BORROWER_USER))
    for (const loan of overdue) {
      await trx.from('library_loans').where('id', loan.id).update({ overdue_notified_on: today })
      await emitEvent('library.loan.overdue', {
        loan_id: String(loan.id),
        title_id: String(loan.title_id),
        copy_id: String(loan.copy_id),
        user_id: loan.user_id,
        student_id: loan.student_id ? String(loan.student_id) : null,
        due_on: isoDate(loan.due_on),
        days_overdue: daysBetween(isoDate(loan.due_on), today),
      })
    }
    return { due_soon: dueSoon.length, overdue: overdue.length }
  })
  const expired = await expireHolds(settings)
  return { ...announced, holds_expired: expired, copies_held: await holdWaitingCopies(settings) }
}

/** The repeatable job: one schedule per tenant, run in that tenant's context by the worker. */
export const loanRemindersJob = defineJob<Record<string, never>>({
  name: 'library.loan_reminders',
  queue: 'default',
  attempts: 3,
  backoff: 60_000,
  async handle(_data, context) {
    if (!context.tenantId)
      throw new TypeError('library.loan_reminders runs for one tenant; schedule it with tenantId')
    return sweepLoans()
  },
})
