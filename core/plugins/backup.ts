import { E_BACKUP_UNAVAILABLE } from '../errors.js'
import type { Tenant } from '../tenancy/types.js'

type BackupModule = {
  createTenantBackup?: (tenant: Tenant, options: { reason: string }) => Promise<unknown>
}

/** Where the backup service lives; named through a variable so the host builds without it. */
const BACKUP_MODULE = '#core/backup/index'

/**
 * Takes a tenant backup through core/backup before something destructive.
 * Without the backup service (module absent, or without createTenantBackup)
 * this refuses with ERR_BACKUP_UNAVAILABLE rather than go ahead unprotected.
 */
export async function backupTenant(tenant: Tenant, reason: string): Promise<unknown> {
  let backups: BackupModule
  try {
    backups = await import(BACKUP_MODULE)
  } catch (error) {
    const missing =
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('core/backup/index')
    if (missing) throw new E_BACKUP_UNAVAILABLE()
    throw error
  }
  if (typeof backups.createTenantBackup !== 'function') throw new E_BACKUP_UNAVAILABLE()
  return backups.createTenantBackup(tenant, { reason })
}
