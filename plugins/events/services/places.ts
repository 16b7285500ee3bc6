import { E_EVENT_NOT_FOUND } from '../errors.js'
import { withTenantDb, type Principal } from '@oryne/sdk'

/** Roles whose row rule narrows events to the published ones of their audience (resources/events.ts). */
const AUDIENCE_ONLY = new Set(['Student', 'Parent'])

export type EventPlaces = {
  event_id: string
  capacity: number | null
  waitlist: boolean
  taken: number
  waiting: number
  free: number | null
}

/**
 * How full an event is: places taken, people waiting, places free (null when
 * unlimited). Answered for the events the caller may read: a principal whose
 * every role is Student or Parent sees the published events of their
 * audience only, like the events list; anyone else every event.
 */
export function eventPlaces(eventId: string, principal: Principal): Promise<EventPlaces> {
  return withTenantDb(async (trx) => {
    const event = await trx.from('events_events').where('id', eventId).first()
    const narrowed =
      principal.kind === 'user' &&
      principal.roles.length > 0 &&
      principal.roles.every((role) => AUDIENCE_ONLY.has(role))
    const visible =
      event &&
      (!narrowed ||
        (event.status === 'published' &&
          (await trx
            .from('events_event_audience')
            .where({ event_id: eventId, user_id: principal.id })
            .first())))
    if (!visible) throw new E_EVENT_NOT_FOUND(['Event', eventId])
    const counts = await trx
      .from('events_registrations')
      .where('event_id', eventId)
      .whereIn('status', ['registered', 'waitlisted'])
      .groupBy('status')
      .select('status')
      .count('* as count')
    const count = (status: string) =>
      Number(counts.find((row) => row.status === status)?.count ?? 0)
    const capacity = event.capacity === null ? null : Number(event.capacity)
    const taken = count('registered')
    return {
      event_id: String(event.id),
      capacity,
      waitlist: Boolean(event.waitlist),
      taken,
      waiting: count('waitlisted'),
      free: capacity === null ? null : Math.max(0, capacity - taken),
    }
  })
}
