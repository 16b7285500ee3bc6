import { DateTime } from 'luxon'
import { tenantContext } from '@oryne/sdk'

function zone() {
  return tenantContext.require().settings.time_zone || 'UTC'
}

/** The date (YYYY-MM-DD) of an instant in the tenant's time zone. */
export function eventDate(instant: Date | string): string {
  const at = instant instanceof Date ? instant : new Date(instant)
  return DateTime.fromJSDate(at).setZone(zone()).toISODate()!
}

/**
 * The tenant-local days an event covers, first and last inclusive. An end at
 * local midnight closes the day before (an all-day event of one day ends at
 * the next midnight).
 */
export function eventDays(startsAt: Date | string, endsAt: Date | string | null) {
  const start = new Date(startsAt)
  const end = endsAt ? new Date(endsAt) : start
  const last = end > start ? new Date(end.getTime() - 1) : start
  return { first: eventDate(start), last: eventDate(last) }
}
