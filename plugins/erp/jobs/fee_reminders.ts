import { DateTime } from 'luxon'
import {
  daysBetween,
  defineJob,
  isoDate,
  notify,
  tenantContext,
  tenantZone,
  withTenantDb,
} from '@oryne/sdk'
import { balanceOf } from '../services/fees.js'
import { erpSettings } from '../settings.js'

/**
 * The sweep runs every hour and sends the day's reminders from the tenant's
 * `fee_reminder_hour` on (tenant time zone), so that time-zone changes need no
 * rescheduling; a missed hour is caught up by the next run.
 */
export const FEE_REMINDERS_CRON = '0 * * * *'

/** `12 500.00 USD` style amount: minor units in the tenant's currency and locale. */
function money(minor: number) {
  const { currency, locale } = tenantContext.require().settings
  try {
    const format = new Intl.NumberFormat(locale || 'en', {
      style: 'currency',
      currency: currency || 'USD',
    })
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2
    return format.format(minor / 10 ** digits)
  } catch {
    // An unknown currency code or locale: the plain number, never a failed reminder.
    return `${(minor / 100).toFixed(2)} ${currency}`.trim()
  }
}

function when(days: number) {
  if (days > 1) return `is due in ${days} days`
  if (days === 1) return 'is due tomorrow'
  if (days === 0) return 'is due today'
  return days === -1 ? 'is 1 day overdue' : `is ${-days} days overdue`
}

/**
 * Notifies the guardians (who have an account) and the student's own user of
 * every unpaid invoice due within `fee_reminder_days_before` days, and of
 * overdue ones when `fee_reminder_overdue` is on, through the
 * `erp.fee_reminder` template. One reminder per invoice, recipient and day
 * (tenant time zone) at most, whatever the number of runs: notify's `once`
 * key is unique in the tenant's schema.
 */
export async function sendFeeReminders(now = new Date()) {
  const settings = await erpSettings()
  const zone = tenantZone()
  const local = DateTime.fromJSDate(now).setZone(zone)
  if (local.hour < settings.fee_reminder_hour) return { invoices: 0, reminded: 0, waiting: true }
  const today = local.toISODate()!
  const horizon = local.plus({ days: settings.fee_reminder_days_before }).toISODate()!

  const invoices = await withTenantDb((trx) => {
    const query = trx
      .from('erp_invoices as i')
      .join('erp_students as s', 's.id', 'i.student_id')
      .whereIn('i.status', ['open', 'partially_paid'])
      .where('i.due_on', '<=', horizon)
      .orderBy('i.due_on')
      .orderBy('i.id')
      .select('i.*', 's.first_name', 's.last_name', 's.user_id as student_user_id')
    if (!settings.fee_reminder_overdue) query.where('i.due_on', '>=', today)
    return query
  })
  let reminded = 0
  for (const invoice of invoices) {
    const balance = balanceOf(invoice)
    if (balance <= 0) continue
    const guardians = await withTenantDb((trx) =>
      trx
        .from('erp_guardians')
        .where('student_id', invoice.student_id)
        .whereNotNull('user_id')
        .select('user_id')
    )
    const userIds = [
      ...guardians.map((row) => row.user_id as string),
      ...(invoice.student_user_id ? [invoice.student_user_id as string] : []),
    ]
    if (!userIds.length) continue
    const dueOn = isoDate(invoice.due_on)
    const result = await notify({
      userIds,
      template: 'erp.fee_reminder',
      data: {
        invoice_number: invoice.number,
        student_name: `${invoice.first_name} ${invoice.last_name}`,
        balance: money(balance),
        balance_minor: balance,
        due_on: dueOn,
        when: when(daysBetween(today, dueOn)),
      },
      once: `${invoice.id}:${today}`,
    })
    if (result.in_app + result.queued > 0) reminded++
  }
  return { invoices: invoices.length, reminded }
}

/** The repeatable job: one schedule per tenant, run in that tenant's context by the worker. */
export const feeRemindersJob = defineJob<Record<string, never>>({
  name: 'erp.fee_reminders',
  queue: 'default',
  attempts: 3,
  backoff: 60_000,
  async handle(_data, context) {
    if (!context.tenantId)
      throw new TypeError('erp.fee_reminders runs for one tenant; schedule it with tenantId')
    return sendFeeReminders()
  },
})
