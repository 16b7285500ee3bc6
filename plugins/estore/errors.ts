import { defineError } from '@oryne/sdk'

/* Errors of the e-store plugin (documented in docs/plugins/estore.md). */
export const E_ESTORE_NOT_FOUND = defineError('ERR_ESTORE_NOT_FOUND', 404, '%s %s not found')
export const E_OUT_OF_STOCK = defineError(
  'ERR_ESTORE_OUT_OF_STOCK',
  409,
  'Not enough stock of %s: %s asked',
  'Lower the quantity in your cart or remove the item; stock is reserved at checkout, first come first served.'
)
export const E_CART_EMPTY = defineError(
  'ERR_ESTORE_CART_EMPTY',
  409,
  'Your cart is empty',
  'Add items with PUT /api/v1/estore/cart/items before checking out.'
)
export const E_NOT_AVAILABLE = defineError(
  'ERR_ESTORE_NOT_AVAILABLE',
  409,
  'Variant %s is not for sale to you',
  'The product is inactive or not offered to your classes or roles.'
)
export const E_ORDER_NOT_PAYABLE = defineError(
  'ERR_ESTORE_ORDER_NOT_PAYABLE',
  409,
  'Order %s is %s and cannot be paid',
  'Only a placed order whose reservation has not expired can be paid; check out again.'
)
export const E_INVALID_TRANSITION = defineError(
  'ERR_ESTORE_INVALID_TRANSITION',
  409,
  'Cannot move order %s from "%s" to "%s"',
  'Orders move placed -> paid -> fulfilled, placed -> cancelled, paid|fulfilled -> refunded.'
)
export const E_OVER_REFUND = defineError(
  'ERR_ESTORE_OVER_REFUND',
  409,
  'Order %s has %s left to refund, %s asked'
)
export const E_IDEMPOTENCY_MISMATCH = defineError(
  'ERR_ESTORE_IDEMPOTENCY_MISMATCH',
  422,
  'Idempotency key "%s" was already used for a different request',
  'Send a fresh Idempotency-Key for a new request; repeat the key only to retry the same request.'
)
export const E_PROVIDER_UNAVAILABLE = defineError(
  'ERR_ESTORE_PROVIDER_UNAVAILABLE',
  502,
  'The payment provider "%s" failed: %s',
  'Try again later; an administrator checks the card gateway settings (docs/plugins/estore.md).'
)
export const E_PROVIDER_NOT_CONFIGURED = defineError(
  'ERR_ESTORE_PROVIDER_NOT_CONFIGURED',
  409,
  'The payment provider "%s" is not configured',
  'Set card_api_url, card_api_key and card_webhook_secret in the estore settings.'
)
export const E_NO_STUDENT_ACCOUNT = defineError(
  'ERR_ESTORE_NO_STUDENT_ACCOUNT',
  403,
  'No ERP student account can be charged for you',
  'Students are charged on their own account, parents name one of their children (student_id).'
)
export const E_WEBHOOK_SIGNATURE = defineError(
  'ERR_ESTORE_WEBHOOK_SIGNATURE',
  400,
  'The webhook signature is missing or invalid'
)
export const E_WEBHOOK_STALE = defineError(
  'ERR_ESTORE_WEBHOOK_STALE',
  400,
  'The webhook timestamp is %s seconds away from now, more than the %s seconds tolerated'
)
export const E_VOUCHER_NOT_APPLICABLE = defineError(
  'ERR_ESTORE_VOUCHER_NOT_APPLICABLE',
  422,
  'Voucher "%s" cannot be used: %s',
  'Check the code and its dates with the school office, or check out without it (details.reason says why).'
)
