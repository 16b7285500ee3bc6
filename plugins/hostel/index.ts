/*
 * What the hostel plugin exports to the host and to plugins that depend on it.
 */
export { default } from './plugin.js'
export { allocate, transfer, vacate } from './services/allocations.js'
export { generateTermFees } from './services/fees.js'
export { occupancyReport } from './services/reports.js'
