import { defineError } from '../errors.js'

/* Errors of online payments (docs/plugins.md, "Online payments"). */
export const E_PAYMENT_PROVIDER_NOT_CONFIGURED = defineError(
  'ERR_PAYMENT_PROVIDER_NOT_CONFIGURED',
  409,
  'The payment provider "%s" is not configured',
  'An administrator sets the card gateway with PUT /api/v1/admin/payments/card (or the ORYNE_PAYMENTS_CARD_* environment).'
)
export const E_PAYMENT_PROVIDER_UNAVAILABLE = defineError(
  'ERR_PAYMENT_PROVIDER_UNAVAILABLE',
  502,
  'The payment provider "%s" failed: %s',
  'Try again later; an administrator checks the card gateway settings.'
)
export const E_PAYMENT_WEBHOOK_SIGNATURE = defineError(
  'ERR_PAYMENT_WEBHOOK_SIGNATURE',
  400,
  'The webhook signature is missing or invalid'
)
export const E_PAYMENT_WEBHOOK_STALE = defineError(
  'ERR_PAYMENT_WEBHOOK_STALE',
  400,
  'The webhook timestamp is %s seconds away from now, more than the %s seconds tolerated'
)
