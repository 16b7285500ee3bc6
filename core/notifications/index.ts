/*
 * Notifications (docs/notifications.md): templates from core and plugins with
 * per-tenant overrides, per-user preferences, queued delivery through GNS with
 * retries and dead letters, and the in-app inbox.
 */
export { notify, type NotifyInput, type NotifyResult } from './notify.js'
export { deliverNotificationJob, PRIORITIES, type Priority } from './delivery.js'
export { CHANNELS, type Channel, type RegisteredTemplate } from './templates.js'
