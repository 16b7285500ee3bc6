/*
 * Online payments (docs/plugins.md, "Online payments"): the tenant's card
 * gateway, checkout sessions a plugin opens for one of its purposes, and the
 * gateway's signed webhook dispatched back to that purpose.
 */
export { assertConfigured, createCheckoutSession, refundSession } from './card_gateway.js'
export type { CheckoutSession } from './card_gateway.js'
export {
  expireCheckout,
  latestCheckouts,
  openCheckout,
  unmatchedCheckouts,
  type CheckoutInput,
} from './checkout.js'
export { cardGatewayConfig, onlinePaymentsEnabled, type CardGatewayConfig } from './config.js'
export { registerPaymentPurpose, type PaymentPurpose, type PaymentSession } from './purposes.js'
export {
  GATEWAY_SIGNATURE_HEADER,
  signGatewayPayload,
  verifyGatewaySignature,
} from './signature.js'
export { parseGatewayEvent, receivePaymentWebhook, type GatewayEvent } from './webhook.js'
export * as paymentErrors from './errors.js'
