import { describeOperations } from '../openapi/operations.js'
import { arrayOf, type JsonSchema } from '../openapi/schemas.js'
import {
  E_NOTIFICATION_DELIVERY_NOT_FOUND,
  E_NOTIFICATION_MANDATORY,
  E_NOTIFICATION_NOT_FOUND,
  E_NOTIFICATION_TEMPLATE_INVALID,
  E_NOTIFICATION_TEMPLATE_UNKNOWN,
} from './errors.js'
import {
  inboxQueryValidator,
  pageQueryValidator,
  preferencesValidator,
  sendValidator,
  templateOverrideValidator,
} from './validators.js'

const notification: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    title: { type: 'string' },
    body: { type: ['string', 'null'] },
    read_at: { type: ['string', 'null'], format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['id'],
}
const preferenceMatrix: JsonSchema = arrayOf({ type: 'object' })

/* The inbox and the admin's notification settings (core/notifications/routes.ts). */
describeOperations({
  'GET /api/v1/notifications': {
    summary: 'Your in-app notifications, newest first',
    tags: ['Notifications'],
    query: inboxQueryValidator,
    data: arrayOf(notification),
    paginated: true,
  },
  'GET /api/v1/notifications/unread-count': {
    summary: 'How many of your notifications are unread',
    tags: ['Notifications'],
    data: { type: 'object', properties: { unread: { type: 'integer' } }, required: ['unread'] },
  },
  'POST /api/v1/notifications/read-all': {
    summary: 'Mark all your notifications read',
    tags: ['Notifications'],
    data: { type: 'object', properties: { marked: { type: 'integer' } }, required: ['marked'] },
  },
  'POST /api/v1/notifications/:id/read': {
    summary: 'Mark one notification read',
    tags: ['Notifications'],
    data: notification,
    errors: [E_NOTIFICATION_NOT_FOUND],
  },
  'GET /api/v1/notifications/preferences': {
    summary: 'Your channels (in-app, email, SMS, push) for each kind of notification',
    tags: ['Notifications'],
    data: preferenceMatrix,
  },
  'PUT /api/v1/notifications/preferences': {
    summary: 'Choose your channels per kind of notification (mandatory ones stay on)',
    tags: ['Notifications'],
    body: preferencesValidator,
    data: preferenceMatrix,
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN, E_NOTIFICATION_MANDATORY],
  },
  'GET /api/v1/admin/notifications/templates': {
    summary: 'Every notification template, with this tenant’s overrides',
    tags: ['Admin: notifications'],
    data: arrayOf({ type: 'object' }),
  },
  'PUT /api/v1/admin/notifications/templates/:key': {
    summary: 'Override a template’s wording for this tenant',
    tags: ['Admin: notifications'],
    body: templateOverrideValidator,
    data: { type: 'object' },
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN, E_NOTIFICATION_TEMPLATE_INVALID],
  },
  'DELETE /api/v1/admin/notifications/templates/:key': {
    summary: 'Back to the template’s own wording',
    tags: ['Admin: notifications'],
    data: { type: 'object' },
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN],
  },
  'GET /api/v1/admin/notifications/defaults': {
    summary: 'The channels new users get per kind of notification',
    tags: ['Admin: notifications'],
    data: preferenceMatrix,
  },
  'PUT /api/v1/admin/notifications/defaults': {
    summary: 'Set the channels new users get per kind of notification',
    tags: ['Admin: notifications'],
    body: preferencesValidator,
    data: preferenceMatrix,
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN, E_NOTIFICATION_MANDATORY],
  },
  'GET /api/v1/admin/notifications/dead-letters': {
    summary: 'Deliveries that failed for good (email, SMS, push), newest first',
    tags: ['Admin: notifications'],
    query: pageQueryValidator,
    data: arrayOf({ type: 'object' }),
    paginated: true,
  },
  'POST /api/v1/admin/notifications/dead-letters/:id/retry': {
    summary: 'Send a failed delivery again',
    tags: ['Admin: notifications'],
    data: { type: 'object' },
    errors: [E_NOTIFICATION_DELIVERY_NOT_FOUND],
  },
  'POST /api/v1/admin/notifications/send': {
    summary: 'Send a notice to users, roles or everyone (queued)',
    tags: ['Admin: notifications'],
    status: 202,
    body: sendValidator,
    data: { type: 'object' },
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN],
  },
})
