import { tenantDate } from '@oryne/sdk'

/**
 * The tenant-local days an event covers, first and last inclusive. An end at
 * local midnight closes the day before (an all-day event of one day ends at
 * the next midnight).
 */
export function eventDays(startsAt: Date | string, endsAt: Date | string | null) {
  const start = new Date(startsAt)
  const end = endsAt ? new Date(endsAt) : start
  const last = end > start ? new Date(end.getTime() - 1) : start
  return { first: tenantDate(start), last: tenantDate(last) }
}
