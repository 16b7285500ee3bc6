import { eventDays } from './dates.js'
import { readTenantDb, type CalendarEntry, type CalendarQuery, type Holiday } from '@oryne/sdk'

/** What a flagged event is, for calendars: the flag wins over the plain kind. */
function kindOf(event: Record<string, any>) {
  if (event.is_holiday) return 'holiday'
  if (event.is_exam) return 'exam'
  if (event.is_parent_meeting) return 'parent_meeting'
  return 'event'
}

/**
 * The user's events for calendars (manifest `calendar`): published events of
 * their audience and any they hold a registration for (cancelled ones
 * excepted), overlapping the window.
 */
export async function eventsCalendar({
  userId,
  from,
  to,
}: CalendarQuery): Promise<CalendarEntry[]> {
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('events_events', 'e'))
      .whereIn(
        'e.id',
        client
          .from(table('events_event_audience', 'a'))
          .where('a.user_id', userId)
          .select('a.event_id')
      )
      .where('e.status', 'published')
      .where('e.starts_at', '<', to)
      .whereRaw('coalesce(e.ends_at, e.starts_at) >= ?', [from])
      .orderBy('e.starts_at')
      .select('e.*')
  )
  return rows.map((event) => ({
    uid: `event-${event.id}`,
    title: event.title,
    starts_at: new Date(event.starts_at).toISOString(),
    ends_at: event.ends_at ? new Date(event.ends_at).toISOString() : null,
    all_day: Boolean(event.all_day),
    description:
      [event.venue ? `Venue: ${event.venue}` : null, event.description]
        .filter(Boolean)
        .join('\n\n') || null,
    kind: kindOf(event),
  }))
}

/**
 * Holidays (manifest `holidays`): every tenant-local day covered by a
 * published event flagged `is_holiday`. Core hands them to the plugins that
 * honour them (ERP attendance and timetable) without those depending on events.
 */
export async function eventHolidays({
  from,
  to,
}: {
  from: string
  to: string
}): Promise<Holiday[]> {
  // One day of margin each side: the window is in local dates, the columns are instants.
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('events_events'))
      .where({ is_holiday: true, status: 'published' })
      .where('starts_at', '<', client.raw(`?::date + 2`, [to]))
      .whereRaw('coalesce(ends_at, starts_at) >= ?::date - 1', [from])
      .select('title', 'starts_at', 'ends_at')
  )
  const holidays: Holiday[] = []
  for (const row of rows) {
    const { first, last } = eventDays(row.starts_at, row.ends_at)
    for (let day = first; day <= last; day = nextDay(day)) {
      if (day >= from && day <= to) holidays.push({ date: day, title: row.title })
    }
  }
  return holidays
}

function nextDay(date: string) {
  const next = new Date(`${date}T00:00:00Z`)
  next.setUTCDate(next.getUTCDate() + 1)
  return next.toISOString().slice(0, 10)
}
