import { fileURLToPath } from 'node:url'
import { defineConfig, services } from '@adonisjs/drive'
import type { DriverFactory, InferDriveDisks, ServiceConfigProvider } from '@adonisjs/drive/types'
import { storageDir } from '#core/runtime/environment'
import { storageConfig } from '#core/storage/config'

/*
 * File storage (docs/storage.md): the local storage directory by default,
 * S3 or an S3-compatible store (MinIO) with ORYNE_STORAGE_DRIVER=s3. Either
 * way every tenant's files live under `tenants/<tenant id>/`, which is what
 * backups carry. Files are private: they are served only through signed links
 * checked by Oryne (GET /api/v1/files/:id/download), never by Drive's own
 * file server.
 */
const s3 = storageConfig.driver() === 's3'

/** One disk, `main`: S3/MinIO when ORYNE_STORAGE_DRIVER=s3, else the storage directory. */
const main: ServiceConfigProvider<DriverFactory> = s3
  ? services.s3({
      bucket: process.env.S3_BUCKET ?? '',
      region: process.env.S3_REGION ?? 'us-east-1',
      // MinIO and other S3-compatible stores: their URL, usually with path-style addressing.
      endpoint: process.env.S3_ENDPOINT || undefined,
      forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
      credentials: {
        accessKeyId: process.env.S3_ACCESS_KEY_ID ?? '',
        secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? '',
      },
      visibility: 'private',
      supportsACL: process.env.S3_SUPPORTS_ACL !== 'false',
    })
  : services.fs({
      location: storageDir(fileURLToPath(new URL('../', import.meta.url))),
      visibility: 'private',
      serveFiles: false,
    })

const driveConfig = defineConfig({ default: 'main', services: { main } })

export default driveConfig

declare module '@adonisjs/drive/types' {
  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}
}
