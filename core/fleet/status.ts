import db from '@adonisjs/lucid/services/db'
import type { TenancyService } from '../tenancy/tenancy_service.js'
import { E_TENANT_NOT_FOUND } from '../errors.js'
import { lastRun, loadFleet } from './fleet_state.js'
import { migrationKey, readLedger } from './ledger.js'
import { MigrationTargets } from './target.js'

/**
 * The fleet's migration state from the registry alone (one query, no schema
 * opened): how many tenants match their target fingerprint, which failed in
 * the last run that touched them, and that run.
 */
export async function fleetStatus(tenancy: TenancyService) {
  const targets = new MigrationTargets(tenancy.migrationSets(), tenancy.plugins)
  const fleet = await loadFleet()
  const failing = fleet.filter((tenant) => tenant.last_error)
  const upToDate = fleet.filter(
    (tenant) => tenant.fingerprint === targets.for(tenant.plugins).fingerprint
  ).length
  return {
    tenants: fleet.length,
    up_to_date: upToDate,
    to_check: fleet.length - upToDate,
    failed: failing.map((tenant) => ({
      tenant: tenant.slug,
      error: tenant.last_error,
      failed_at: tenant.failed_at,
    })),
    last_run: await lastRun(),
  }
}

/** One tenant's migrations per owner: applied (from its ledger) and pending. */
export async function tenantMigrationStatus(tenancy: TenancyService, slug: string) {
  const targets = new MigrationTargets(tenancy.migrationSets(), tenancy.plugins)
  const [tenant] = await loadFleet([slug])
  if (!tenant) throw new E_TENANT_NOT_FOUND([slug])
  const target = targets.for(tenant.plugins)
  const ledger = await db.transaction(async (trx) => {
    await trx.rawQuery(`SELECT set_config('search_path', ?, true)`, [
      `"${tenant.schema_name}", public`,
    ])
    return readLedger(trx)
  })
  return {
    tenant: tenant.slug,
    up_to_date: target.migrations.every((m) => ledger.applied.has(migrationKey(m))),
    fingerprint_matches: tenant.fingerprint === target.fingerprint,
    last_error: tenant.last_error,
    owners: target.sets.map((set) => ({
      owner: set.owner,
      applied: ledger.rows
        .filter((row) => row.owner === set.owner)
        .map((row) => ({ name: row.name, batch: row.batch, applied_at: row.applied_at })),
      pending: target.migrations
        .filter((m) => m.owner === set.owner && !ledger.applied.has(migrationKey(m)))
        .map((m) => m.name),
    })),
  }
}
