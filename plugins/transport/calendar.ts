import { DateTime } from 'luxon'
import { transportSettings } from './settings.js'
import { joinErp, studentIdsReachedBy } from '../erp/index.js'
import {
  holidaysBetween,
  isoDate,
  readTenantDb,
  tenantZone,
  type CalendarEntry,
  type CalendarQuery,
} from '@oryne/sdk'

/** Luxon weekdays without school: Saturday and Sunday. */
const WEEKEND = new Set([6, 7])

/** The school days (YYYY-MM-DD) from `first` to `last`: weekdays that are not the institution's holidays. */
async function schoolDays(first: string, last: string): Promise<string[]> {
  const closed = await holidaysBetween(first, last)
  const holidays = new Set(closed.map((holiday) => holiday.date))
  const days: string[] = []
  for (
    let date = DateTime.fromISO(first, { zone: 'utc' });
    date.toISODate()! <= last;
    date = date.plus({ days: 1 })
  ) {
    if (!WEEKEND.has(date.weekday) && !holidays.has(date.toISODate()!)) days.push(date.toISODate()!)
  }
  return days
}

const DOCUMENTS = [
  { column: 'insurance_expires_on', name: 'insurance', label: 'Insurance' },
  { column: 'permit_expires_on', name: 'permit', label: 'Permit' },
] as const

/**
 * Transport dates for calendars (manifest `calendar`), in two queries (and
 * the holidays, through core, when there are pickups):
 * - a passenger's pickups: for each active assignment of the user (as a staff
 *   passenger, as a student, or as the guardian of a student), the stop's
 *   pickup time on every school day (Monday to Friday, holidays excepted)
 *   from the assignment's start;
 * - for the users of the `reminder_roles` roles (who get the expiry
 *   reminders), the days vehicles' insurance and permits expire, all day.
 */
export async function transportCalendar({
  userId,
  from,
  to,
}: CalendarQuery): Promise<CalendarEntry[]> {
  const zone = tenantZone()
  const start = DateTime.fromISO(from, { zone })
  const end = DateTime.fromISO(to, { zone })
  if (!(start < end)) return []
  const first = start.toISODate()!
  // `to` is exclusive: its date counts only if the window goes past its midnight.
  const last = end.minus({ milliseconds: 1 }).toISODate()!
  const settings = await transportSettings()
  const { rides, vehicles } = await readTenantDb(async (client, table) => {
    const students = studentIdsReachedBy(client, userId, table)
    return {
      rides: await joinErp(
        client
          .from(table('transport_assignments', 'a'))
          .join(table('transport_stops', 'st'), 'st.id', 'a.stop_id')
          .join(table('transport_routes', 'r'), 'r.id', 'a.route_id')
          .join(table('transport_vehicles', 'v'), 'v.id', 'a.vehicle_id'),
        'students',
        'p',
        'a.student_id',
        { left: true, table }
      )
        .where('a.status', 'active')
        .where('a.starts_on', '<=', last)
        .where((who) => who.where('a.user_id', userId).orWhereIn('a.student_id', students))
        .orderBy('a.id')
        .select(
          'a.id',
          'a.starts_on',
          'st.name as stop',
          'st.pickup_time',
          'st.drop_time',
          'r.code as route_code',
          'r.name as route',
          'v.registration',
          'p.first_name'
        ),
      vehicles: await client
        .from(table('transport_vehicles', 'v'))
        .whereNot('v.status', 'retired')
        .where((due) =>
          due
            .whereBetween('v.insurance_expires_on', [first, last])
            .orWhereBetween('v.permit_expires_on', [first, last])
        )
        .whereExists(
          client
            .from(table('user_roles', 'ur'))
            .join(table('roles', 'ro'), 'ro.id', 'ur.role_id')
            .where('ur.user_id', userId)
            .whereIn('ro.name', settings.reminder_roles)
            .select(client.raw('1'))
        )
        .orderBy('v.registration')
        .select('v.id', 'v.registration', ...DOCUMENTS.map((document) => `v.${document.column}`)),
    }
  })
  const days = rides.length ? await schoolDays(first, last) : []
  const entries: CalendarEntry[] = []
  for (const ride of rides) {
    const since = isoDate(ride.starts_on)
    for (const date of days) {
      const pickup = DateTime.fromISO(`${date}T${ride.pickup_time}`, { zone })
      if (date < since || pickup < start || pickup >= end) continue
      entries.push({
        uid: `pickup-${ride.id}-${date}`,
        title: `Bus pickup at ${ride.stop}, ${ride.pickup_time}${ride.first_name ? ` (${ride.first_name})` : ''}`,
        starts_at: pickup.toUTC().toISO()!,
        ends_at: null,
        description: `${ride.registration} on route ${ride.route_code} (${ride.route}); drop-off at ${ride.stop} at ${ride.drop_time}.`,
        kind: 'transport_pickup',
      })
    }
  }
  for (const vehicle of vehicles) {
    for (const document of DOCUMENTS) {
      const expires = vehicle[document.column] ? isoDate(vehicle[document.column]) : null
      if (!expires || expires < first || expires > last) continue
      entries.push({
        uid: `vehicle-${vehicle.id}-${document.name}-${expires}`,
        title: `${document.label} of ${vehicle.registration} expires`,
        starts_at: expires,
        all_day: true,
        description: `Renew the ${document.name} of ${vehicle.registration} by this day.`,
        kind: 'transport_document_expiry',
      })
    }
  }
  return entries
}
