/*
 * What the e-store exports to the host and to plugins that depend on it.
 * Plugins call these services; they never write the e-store tables themselves.
 */
export { default } from './plugin.js'
export { checkout, type CheckoutInput } from './services/checkout.js'
export { releaseExpiredReservations, releaseReservationsJob } from './jobs/release_reservations.js'
export { salesReport, lowStockReport } from './services/reports.js'
export { signPayload, verifySignature, SIGNATURE_HEADER } from './payments/signature.js'
