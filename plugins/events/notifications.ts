import { notify, type NotificationTemplate, type OryneEvent, withTenantDb } from '@oryne/sdk'

/** Templates the events plugin sends through the notification service (tenants may override their text). */
export const eventsNotifications: Record<string, NotificationTemplate> = {
  event_reminder: {
    channels: ['email', 'push', 'in_app'],
    subject: 'Reminder: {{event}}',
    body: '"{{event}}" starts {{starts_at}}{{venue}}. Show your check-in code at the entrance.',
    description: 'A registered event starts within the reminder window',
  },
  place_offered: {
    channels: ['email', 'push', 'in_app'],
    subject: 'You have a place: {{event}}',
    body: 'A place freed up and you moved off the waiting list for "{{event}}" ({{starts_at}}).',
    description: 'A waitlisted registration was promoted to a place',
  },
}

async function eventDetails(eventId: string) {
  return withTenantDb((trx) =>
    trx.from('events_events').where('id', eventId).select('title', 'starts_at', 'venue').first()
  )
}

/** `events.reminder`: tells the registrant their event is coming. */
export async function notifyReminder(event: OryneEvent) {
  const payload = event.payload as { event_id: string; user_id: string }
  const details = await eventDetails(payload.event_id)
  if (!details) return
  await notify({
    userIds: [payload.user_id],
    template: 'events.event_reminder',
    data: {
      event: details.title,
      starts_at: new Date(details.starts_at).toISOString(),
      venue: details.venue ? ` at ${details.venue}` : '',
    },
    dedupKey: `${payload.event_id}:${new Date(details.starts_at).toISOString()}`,
  })
}

/** `events.registration.promoted`: tells the registrant they have a place now. */
export async function notifyPromoted(event: OryneEvent) {
  const payload = event.payload as { registration_id: string; event_id: string; user_id: string }
  const details = await eventDetails(payload.event_id)
  if (!details) return
  await notify({
    userIds: [payload.user_id],
    template: 'events.place_offered',
    data: { event: details.title, starts_at: new Date(details.starts_at).toISOString() },
    dedupKey: payload.registration_id,
  })
}
