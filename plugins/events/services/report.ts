import { E_EVENT_NOT_FOUND } from '../errors.js'
import { readTenantDb } from '@oryne/sdk'

/** Who registered, waited, cancelled and came: the attendance report of one event. */
export async function attendanceReport(eventId: string) {
  return readTenantDb(async (client, table) => {
    const event = await client
      .from(table('events_events'))
      .where('id', eventId)
      .select('id', 'title', 'starts_at', 'capacity')
      .first()
    if (!event) throw new E_EVENT_NOT_FOUND(['Event', eventId])
    const rows = await client
      .from(table('events_registrations', 'r'))
      .join(table('users', 'u'), 'u.id', 'r.user_id')
      .where('r.event_id', eventId)
      .orderBy('r.id')
      .select(
        'r.id',
        'r.user_id',
        'u.name',
        'u.email',
        'r.status',
        'r.placed_at',
        'r.checked_in_at'
      )
    const count = (test: (row: any) => boolean) => rows.filter(test).length
    const registered = count((row) => row.status === 'registered')
    const checkedIn = count((row) => row.status === 'registered' && row.checked_in_at)
    return {
      event_id: String(event.id),
      title: event.title,
      starts_at: new Date(event.starts_at).toISOString(),
      capacity: event.capacity,
      registered,
      waitlisted: count((row) => row.status === 'waitlisted'),
      cancelled: count((row) => row.status === 'cancelled'),
      checked_in: checkedIn,
      no_show: registered - checkedIn,
      attendance_percent: registered ? Math.round((10_000 * checkedIn) / registered) / 100 : null,
      registrations: rows.map((row) => ({
        id: String(row.id),
        user_id: row.user_id,
        name: row.name,
        email: row.email,
        status: row.status,
        placed_at: row.placed_at ? new Date(row.placed_at).toISOString() : null,
        checked_in_at: row.checked_in_at ? new Date(row.checked_in_at).toISOString() : null,
      })),
    }
  })
}
