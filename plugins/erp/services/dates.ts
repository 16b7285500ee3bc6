import { DateTime } from 'luxon'
import { tenantContext } from '@oryne/sdk'

/** Today's date (YYYY-MM-DD) in the current tenant's time zone: day boundaries follow the institution. */
export function tenantToday(): string {
  const zone = tenantContext.require().settings.time_zone || 'UTC'
  return DateTime.now().setZone(zone).toISODate()!
}

/** A date column as YYYY-MM-DD, whatever the driver returned. */
export function isoDate(value: unknown): string {
  if (value instanceof Date) {
    return DateTime.fromJSDate(value).toISODate()!
  }
  return String(value).slice(0, 10)
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days)
}
