import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

/** Events settings a tenant admin can change (`oryne plugin settings events --tenant <slug>`). */
export const eventsSettingsSchema = vine.object({
  /** Registrants are reminded once when their event starts within this many hours. */
  reminder_hours: vine.number().withoutDecimals().min(1).max(336),
  /** How far back the calendar feed reaches. */
  feed_past_days: vine.number().withoutDecimals().min(0).max(365),
  /** How far ahead the calendar feed reaches. */
  feed_future_days: vine.number().withoutDecimals().min(1).max(400),
})

export type EventsSettings = {
  reminder_hours: number
  feed_past_days: number
  feed_future_days: number
}

export const EVENTS_DEFAULTS: EventsSettings = {
  reminder_hours: 24,
  feed_past_days: 30,
  feed_future_days: 120,
}

export const eventsSettingsDeclaration = defineSettings(eventsSettingsSchema, EVENTS_DEFAULTS)

/** The current tenant's events settings (defaults for what the tenant has not set). */
export function eventsSettings(): Promise<EventsSettings> {
  return pluginSettings<EventsSettings>('events')
}
