import { DateTime } from 'luxon'
import { tenantContext } from './context.js'

/*
 * Calendar days of the institution. A school's "today", a due date or the day
 * an event falls on are counted in the tenant's time zone (its `time_zone`
 * setting), never the server's: at 23:30 UTC it is already tomorrow in
 * Kiribati. Dates travel as `YYYY-MM-DD` strings.
 */

/** The current tenant's IANA time zone (`UTC` when unset). */
export function tenantZone(): string {
  return tenantContext.require().settings.time_zone || 'UTC'
}

/** Today's date (YYYY-MM-DD) in the current tenant's time zone. */
export function tenantToday(): string {
  return DateTime.now().setZone(tenantZone()).toISODate()!
}

/** The tenant-local date (YYYY-MM-DD) of an instant (a Date or an ISO timestamp). */
export function tenantDate(instant: Date | string): string {
  const at = instant instanceof Date ? instant : new Date(instant)
  return DateTime.fromJSDate(at).setZone(tenantZone()).toISODate()!
}

/**
 * A `date` column as YYYY-MM-DD, whatever the driver returned (a string, or a
 * Date at local midnight of the server, read back in the same zone).
 */
export function isoDate(value: unknown): string {
  if (value instanceof Date) return DateTime.fromJSDate(value).toISODate()!
  return String(value).slice(0, 10)
}

/** `date` (YYYY-MM-DD) moved by `days` (negative moves back). */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date).plus({ days }).toISODate()!
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days)
}
