/*
 * Storage settings (docs/storage.md), read from the environment when used so
 * that a running process picks up what tests or operators set.
 */

function positive(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** Extensions `POST /api/v1/files` accepts unless ORYNE_UPLOAD_EXTENSIONS says otherwise. */
const DEFAULT_EXTENSIONS = [
  'pdf',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'txt',
  'csv',
  'docx',
  'xlsx',
  'pptx',
  'odt',
  'ods',
  'zip',
]

export const storageConfig = {
  /** `fs` (default: the storage directory) or `s3` (S3, MinIO and other S3-compatible stores). */
  driver: (): 'fs' | 's3' => (process.env.ORYNE_STORAGE_DRIVER === 's3' ? 's3' : 'fs'),
  /** Largest upload, in MB. */
  maxUploadMb: () => positive('ORYNE_UPLOAD_MAX_MB', 10),
  /** Accepted extensions, lower case, without the dot. */
  extensions: () =>
    process.env.ORYNE_UPLOAD_EXTENSIONS?.split(',')
      .map((extension) => extension.trim().toLowerCase().replace(/^\./, ''))
      .filter(Boolean) ?? DEFAULT_EXTENSIONS,
  /** How long a signed download link lasts. */
  linkTtlSeconds: () => positive('ORYNE_FILE_LINK_TTL_SECONDS', 600),
  /** How long a presigned upload URL lasts; an upload not confirmed by then stops reserving quota. */
  uploadTtlSeconds: () => positive('ORYNE_UPLOAD_URL_TTL_SECONDS', 900),
  /** Storage each tenant may use, in MB, unless its `storage_quota` row says otherwise. */
  quotaBytes: () => Math.floor(positive('ORYNE_STORAGE_QUOTA_MB', 5120) * 1024 * 1024),
}
