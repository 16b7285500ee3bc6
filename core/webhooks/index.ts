/*
 * Outbound webhooks (docs/webhooks.md): tenant admins subscribe https
 * endpoints to events; every event of the tenant, once committed, is posted to
 * the subscribed endpoints by a queued job, signed with the endpoint's secret.
 */
export { deliverWebhookJob, redeliver } from './delivery.js'
export { listDeliveries, redeliverByHand } from './deliveries.js'
export {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  rotateSecret,
  updateEndpoint,
  type WebhookEndpoint,
} from './endpoints.js'
export { matchesEvent } from './patterns.js'
export { SIGNATURE_HEADER, signatureHeader, verifySignature } from './signature.js'
export { webhookConfig } from './config.js'
