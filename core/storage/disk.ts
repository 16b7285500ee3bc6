import app from '@adonisjs/core/services/app'
import { tenantStoragePath } from '../tenancy/scoping.js'

/** Drive's default disk (config/drive.ts): the storage directory, or S3/MinIO. */
export async function storageDisk() {
  const drive = await app.container.make('drive.manager')
  return drive.use()
}

/**
 * The disk key of a file of the current tenant: `tenants/<tenant id>/<key>`.
 * Rows keep the key relative to the tenant's folder, so that no row can point
 * into another tenant's files.
 */
export function diskKey(key: string) {
  return tenantStoragePath(key)
}
