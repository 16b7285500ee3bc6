import { DateTime } from 'luxon'
import { tenantContext } from '@oryne/sdk'

/*
 * Loans fall due on calendar days of the institution: today, due dates and
 * overdue days are counted in the tenant's time zone.
 */

function zone() {
  return tenantContext.require().settings.time_zone || 'UTC'
}

/** Today's date (YYYY-MM-DD) in the current tenant's time zone. */
export function tenantToday(): string {
  return DateTime.now().setZone(zone()).toISODate()!
}

/** A date column as YYYY-MM-DD, whatever the driver returned. */
export function isoDate(value: unknown): string {
  if (value instanceof Date) return DateTime.fromJSDate(value).toISODate()!
  return String(value).slice(0, 10)
}

/** `date` (YYYY-MM-DD) moved by `days`. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date).plus({ days }).toISODate()!
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days)
}
