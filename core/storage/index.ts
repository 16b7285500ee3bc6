/*
 * Storage (docs/storage.md): tenant files on Drive (the storage directory by
 * default, S3/MinIO by configuration), always under `tenants/<tenant id>/`,
 * recorded in the tenant's `files` table and downloaded through signed links.
 */
export {
  acceptUpload,
  deleteFile,
  fileUrl,
  findFile,
  openFile,
  readFile,
  safeFileName,
  storeFile,
  uploadContentType,
  type FileRecord,
  type StoreFileOptions,
} from './files.js'
export { absoluteLink, signFileLink, validFileLink, type FileLink } from './links.js'
export { storageConfig } from './config.js'
export { servedContentType } from './sniff.js'
export {
  registerUploadPurpose,
  uploadPurposes,
  type UploadPurpose,
} from './purposes.js'
export { storageUsage, type StorageUsage } from './quota.js'
export {
  confirmUpload,
  requestUpload,
  type UploadRecord,
  type UploadRequest,
  type UploadTarget,
} from './uploads.js'
