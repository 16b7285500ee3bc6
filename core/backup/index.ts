export {
  createTenantBackup,
  ORYNE_VERSION,
  type CreateBackupOptions,
  type CreatedBackup,
} from './create.js'
export {
  readManifest,
  restoreTenantBackup,
  verifyBackup,
  type RestoreOptions,
  type RestoreResult,
} from './restore.js'
export { cloneTenant } from './clone.js'
export { listBackups, type BackupRecord } from './catalog.js'
export { readArchive, writeArchive, addEntry, readAll } from './archive.js'
export {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  parseManifest,
  type BackupManifest,
} from './manifest.js'
export { backupDirFor, tenantFilesDir } from './paths.js'
export {
  expiredBackups,
  pruneBackups,
  retentionPolicy,
  runScheduledBackups,
  scheduledBackupsJob,
  SCHEDULED_REASON,
} from './schedule.js'
