import db from '@adonisjs/lucid/services/db'
import type { TenancyService } from '../tenancy/tenancy_service.js'
import { compileDown, LEDGER } from '../tenancy/migrations/tenant_migrator.js'
import {
  E_MIGRATION_IRREVERSIBLE,
  E_MIGRATION_NOTHING_TO_ROLL_BACK,
  E_TENANT_INVALID_TRANSITION,
} from '../errors.js'
import { clearFingerprint, MIGRATABLE_STATUSES } from './fleet_state.js'
import { lockLabel, lockTenant } from './tenant_lock.js'

/**
 * Undoes the last `steps` migrations of one owner (a plugin or "core") in one
 * tenant, newest first, in one transaction under the tenant's lock: either all
 * of them are undone or none. The tenant's fingerprint is cleared, so the next
 * `oryne migrate` reads its ledger (and would apply them again while the
 * installed plugin still ships them).
 */
export async function rollbackTenant(
  tenancy: TenancyService,
  options: { tenant: string; owner: string; steps: number; actor: string; lockWaitMs?: number }
) {
  const tenant = await tenancy.registry.findOrFail(options.tenant)
  if (!(MIGRATABLE_STATUSES as readonly string[]).includes(tenant.status)) {
    throw new E_TENANT_INVALID_TRANSITION([tenant.slug, tenant.status, 'rolled back'])
  }
  const migrations =
    options.owner === 'core'
      ? tenancy.migrationSets().flatMap((set) => (set.owner === 'core' ? set.migrations : []))
      : (tenancy.plugins.plugin(options.owner).migrations ?? [])

  const undone = await db.transaction(async (trx) => {
    await lockTenant(trx, tenant, {
      label: lockLabel('migrate rollback'),
      waitMs: options.lockWaitMs ?? 2000,
    })
    const { rows } = await trx.rawQuery(
      `SELECT name FROM ${LEDGER} WHERE owner = ? ORDER BY batch DESC, name DESC LIMIT ?`,
      [options.owner, options.steps]
    )
    if (!rows.length) throw new E_MIGRATION_NOTHING_TO_ROLL_BACK([tenant.slug, options.owner])
    const names: string[] = rows.map((row: { name: string }) => row.name)
    for (const name of names) {
      const migration = migrations.find((m) => m.name === name)
      const down = migration ? compileDown(migration) : null
      if (!down) throw new E_MIGRATION_IRREVERSIBLE([`${options.owner}/${name}`])
      for (const statement of down) await trx.rawQuery(statement)
      await trx.rawQuery(`DELETE FROM ${LEDGER} WHERE owner = ? AND name = ?`, [
        options.owner,
        name,
      ])
    }
    await trx.rawQuery(`SELECT set_config('search_path', 'public', true)`)
    await clearFingerprint(trx, tenant.id)
    await tenancy.registry.record(trx, tenant.id, {
      event: 'migration.rolled_back',
      actor: options.actor,
      data: { owner: options.owner, migrations: names },
    })
    return names.map((name) => `${options.owner}/${name}`)
  })
  return { tenant: tenant.slug, rolled_back: undone }
}
