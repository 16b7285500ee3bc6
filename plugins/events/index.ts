/*
 * What the events plugin exports to the host and to plugins that depend on it.
 * Other plugins read holidays and calendars through core (`holidayOn`,
 * `calendarEntries` in the SDK), never through these.
 */
export { default } from './plugin.js'
export { sendReminders, eventRemindersJob } from './jobs/reminders.js'
export { checkInToken } from './services/check_in.js'
