import { defineError } from '../oryne_error.js'

/* Errors of outbound webhooks (docs/webhooks.md). */
export const E_WEBHOOK_NOT_FOUND = defineError(
  'ERR_WEBHOOK_NOT_FOUND',
  404,
  'No webhook endpoint "%s"',
  'GET /api/v1/admin/webhooks lists the endpoints of this institution.'
)
export const E_WEBHOOK_DELIVERY_NOT_FOUND = defineError(
  'ERR_WEBHOOK_DELIVERY_NOT_FOUND',
  404,
  'No delivery "%s" of this endpoint',
  'GET /api/v1/admin/webhooks/:id/deliveries lists them.'
)
export const E_WEBHOOK_URL_INVALID = defineError(
  'ERR_WEBHOOK_URL_INVALID',
  400,
  'The webhook URL is not accepted: %s',
  'Use an https:// URL without credentials (plain http is allowed only to 127.0.0.1 outside production).'
)
export const E_WEBHOOK_DISABLED = defineError(
  'ERR_WEBHOOK_DISABLED',
  409,
  'Webhook endpoint "%s" is disabled',
  'Enable it again (PATCH /api/v1/admin/webhooks/:id with {"enabled": true}) before redelivering.'
)
