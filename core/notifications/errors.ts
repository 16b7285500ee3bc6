import { defineError } from '../oryne_error.js'

/* Notifications (docs/notifications.md) */
export const E_NOTIFICATION_TEMPLATE_UNKNOWN = defineError(
  'ERR_NOTIFICATION_TEMPLATE_UNKNOWN',
  404,
  'No notification template "%s"',
  'GET /api/v1/admin/notifications/templates lists the templates of core and of the enabled plugins.'
)
export const E_NOTIFICATION_TEMPLATE_INVALID = defineError(
  'ERR_NOTIFICATION_TEMPLATE_INVALID',
  400,
  'The notification template is invalid: %s',
  'Use {{variable}} placeholders of the template (listed with it); partials and delimiter changes are not allowed.'
)
export const E_NOTIFICATION_DATA_MISSING = defineError(
  'ERR_NOTIFICATION_DATA_MISSING',
  400,
  'Template "%s" needs %s',
  'Pass every variable the template names in data (error.details lists the missing ones).'
)
export const E_NOTIFICATION_MANDATORY = defineError(
  'ERR_NOTIFICATION_MANDATORY',
  409,
  'Notification "%s" is mandatory and cannot be switched off',
  'Leave it on; only optional templates can be switched off.'
)
export const E_NOTIFICATION_NOT_FOUND = defineError(
  'ERR_NOTIFICATION_NOT_FOUND',
  404,
  'No notification "%s"',
  'GET /api/v1/notifications lists yours.'
)
export const E_NOTIFICATION_DELIVERY_NOT_FOUND = defineError(
  'ERR_NOTIFICATION_DELIVERY_NOT_FOUND',
  404,
  'No dead letter "%s"',
  'GET /api/v1/admin/notifications/dead-letters lists them.'
)
