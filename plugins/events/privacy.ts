import { promoteWaitlist } from './services/registrations.js'
import { type PrivacyHooks } from '@oryne/sdk'

/**
 * A user's personal data in the events plugin: their registrations and
 * whether they hold a calendar feed address (never the token itself, which
 * only exists as a hash).
 */
export const eventsPrivacy: PrivacyHooks = {
  async exportPersonalData(userId, { trx }) {
    const registrations = await trx
      .from('events_registrations as r')
      .join('events_events as e', 'e.id', 'r.event_id')
      .where('r.user_id', userId)
      .orderBy('r.id')
      .select(
        'r.id',
        'r.event_id',
        'e.title',
        'r.status',
        'r.placed_at',
        'r.checked_in_at',
        'r.created_at'
      )
    const feed = await trx.from('events_calendar_tokens').where('user_id', userId).first()
    return {
      registrations: registrations.map((row) => ({
        ...row,
        id: String(row.id),
        event_id: String(row.event_id),
      })),
      calendar_feed_since: feed ? new Date(feed.created_at).toISOString() : null,
    }
  },

  /** Deletes the feed address and the registrations; places freed go to the waitlist. */
  async erasePersonalData(userId, { trx }) {
    const tokens = await trx.from('events_calendar_tokens').where('user_id', userId).delete()
    const held = await trx
      .from('events_registrations')
      .where({ user_id: userId, status: 'registered' })
      .distinct('event_id')
    const erased = await trx.from('events_registrations').where('user_id', userId).delete()
    for (const { event_id: eventId } of held) {
      const event = await trx.from('events_events').where('id', eventId).forUpdate().first()
      if (event) await promoteWaitlist(trx, event, 'system')
    }
    return { erased: Number(erased), calendar_feeds: Number(tokens) }
  },
}
