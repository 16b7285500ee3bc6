import app from '@adonisjs/core/services/app'
import { defineError } from '../errors.js'
import { tenantContext } from '../tenancy/context.js'
import type { CalendarEntry, CalendarQuery, Holiday } from './define_plugin.js'

/*
 * The host side of the calendar contract: every plugin the current tenant
 * enabled may contribute dated entries for a user (manifest `calendar`) and
 * the institution's holidays (manifest `holidays`). Plugins read both through
 * the SDK, so a plugin that honours holidays (ERP attendance, timetable) never
 * depends on the plugin that declares them (events).
 */

export const E_HOLIDAY = defineError(
  'ERR_HOLIDAY',
  409,
  '%s is a holiday (%s)',
  'Nothing is scheduled or marked on a holiday; pick another date or unflag the holiday.'
)

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

async function enabledManifests() {
  const tenant = tenantContext.require()
  const plugins = await app.container.make('oryne.plugins')
  return plugins.enabledManifests(tenant.id)
}

/**
 * The user's entries from every enabled plugin between `from` and `to`, in
 * start order. Each entry is tagged with the plugin that gave it (`source`)
 * and its uid made unique across plugins (`<plugin>:<uid>`).
 */
export async function calendarEntries(
  query: CalendarQuery
): Promise<Array<CalendarEntry & { source: string }>> {
  const merged: Array<CalendarEntry & { source: string }> = []
  for (const manifest of await enabledManifests()) {
    if (!manifest.calendar) continue
    for (const entry of await manifest.calendar(query)) {
      merged.push({ ...entry, uid: `${manifest.name}:${entry.uid}`, source: manifest.name })
    }
  }
  return merged.sort((a, b) => a.starts_at.localeCompare(b.starts_at) || a.uid.localeCompare(b.uid))
}

/** Holidays of the current tenant between two dates (YYYY-MM-DD, inclusive), by date. */
export async function holidaysBetween(from: string, to: string): Promise<Holiday[]> {
  if (!ISO_DATE.test(from) || !ISO_DATE.test(to))
    throw new TypeError(`holidaysBetween takes YYYY-MM-DD dates, got ${from} and ${to}`)
  const found: Holiday[] = []
  for (const manifest of await enabledManifests()) {
    if (manifest.holidays) found.push(...(await manifest.holidays({ from, to })))
  }
  return found
    .filter((holiday) => holiday.date >= from && holiday.date <= to)
    .sort((a, b) => a.date.localeCompare(b.date))
}

/** The holiday on `date` (YYYY-MM-DD) of the current tenant, or null when it is a school day. */
export async function holidayOn(date: string): Promise<Holiday | null> {
  const [first] = await holidaysBetween(date, date)
  return first ?? null
}

/** Throws ERR_HOLIDAY (409) when `date` is a holiday of the current tenant. */
export async function assertNotHoliday(date: string) {
  const holiday = await holidayOn(date)
  if (holiday) throw new E_HOLIDAY([date, holiday.title], { details: [holiday] })
}
