import { eventsSettings } from '../settings.js'
import { defineJob, emitEvent, withTenantDb } from '@oryne/sdk'

/** How often each tenant's sweep runs: a reminder goes out at most 15 minutes late. */
export const REMINDER_CRON = '*/15 * * * *'

/**
 * Emits `events.reminder` `{event_id, user_id}` once per registrant (with a
 * place) of every published event starting within `reminder_hours`. Each event
 * is marked in the same transaction (events leave after the commit) and rows
 * another sweep holds are skipped, so overlapping runs never remind twice.
 * Moving the start re-arms the reminder (see eventHooks).
 */
export async function sendReminders(now = new Date()) {
  const { reminder_hours: hours } = await eventsSettings()
  return withTenantDb(async (trx) => {
    const due = await trx
      .from('events_events')
      .where('status', 'published')
      .whereNull('reminded_at')
      .where('starts_at', '>', now)
      .where('starts_at', '<=', new Date(now.getTime() + hours * 3_600_000))
      .orderBy('starts_at')
      .forUpdate()
      .skipLocked()
      .select('id')
    let reminded = 0
    for (const event of due) {
      const registrants = await trx
        .from('events_registrations')
        .where({ event_id: event.id, status: 'registered' })
        .orderBy('id')
        .select('user_id')
      await trx.from('events_events').where('id', event.id).update({ reminded_at: now })
      for (const { user_id: userId } of registrants) {
        await emitEvent('events.reminder', { event_id: String(event.id), user_id: userId })
      }
      reminded += registrants.length
    }
    return { events: due.length, reminded }
  })
}

/** The repeatable job: one schedule per tenant, run in that tenant's context by the worker. */
export const eventRemindersJob = defineJob<Record<string, never>>({
  name: 'events.reminders',
  queue: 'default',
  attempts: 3,
  backoff: 60_000,
  async handle(_data, context) {
    if (!context.tenantId)
      throw new TypeError('events.reminders runs for one tenant; schedule it with tenantId')
    return sendReminders()
  },
})
