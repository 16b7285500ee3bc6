export {
  FleetMigrator,
  fleetFailure,
  type FleetMigrateOptions,
  type FleetMigrateResult,
  type FleetProgress,
  type TenantOutcome,
} from './fleet_migrator.js'
export { fleetStatus, tenantMigrationStatus } from './status.js'
export { rollbackTenant } from './rollback.js'
export { lockTenant, lockHolder, lockLabel, tenantLockKey } from './tenant_lock.js'
export { MigrationTargets, fingerprintOf, type MigrationTarget } from './target.js'
export { clearFingerprint, saveFingerprint, loadFleet } from './fleet_state.js'
