/*
 * What the transport plugin exports to the host and to plugins that depend on it.
 */
export { default } from './plugin.js'
export { assign, changeAssignment, endAssignment } from './services/assignments.js'
export { alight, board, closeTrip } from './services/trips.js'
export { generateTermFees } from './services/fees.js'
export { documentExpiryJob, remindExpiringDocuments } from './jobs/document_expiry.js'
