import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { storageDir } from '../runtime/environment.js'

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Where a tenant's archives go by default: ORYNE_BACKUP_DIR/<tenant id>, or storage/backups/<tenant id>. */
export function backupDirFor(tenantId: string) {
  const configured = process.env.ORYNE_BACKUP_DIR
  const root = configured
    ? isAbsolute(configured)
      ? configured
      : resolve(APP_ROOT, configured)
    : join(storageDir(APP_ROOT), 'backups')
  return join(root, tenantId)
}

/**
 * A tenant's own files (Drive's `tenants/<id>/` on the fs disk, under the
 * storage directory): what a backup carries besides the schema.
 */
export function tenantFilesDir(tenantId: string) {
  return join(storageDir(APP_ROOT), 'tenants', tenantId)
}
