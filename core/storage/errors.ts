import { defineError } from '../oryne_error.js'

/* Errors of presigned uploads and the storage quota (docs/storage.md). */
export const E_UPLOAD_PURPOSE_UNKNOWN = defineError(
  'ERR_UPLOAD_PURPOSE_UNKNOWN',
  400,
  'Unknown upload purpose "%s"',
  'Use one of the purposes listed in error.details.purposes.'
)
export const E_UPLOAD_TYPE_NOT_ALLOWED = defineError(
  'ERR_UPLOAD_TYPE_NOT_ALLOWED',
  415,
  'Uploads for "%s" may not be of type "%s"',
  'Send one of the content types listed in error.details.allowed.'
)
export const E_UPLOAD_TOO_LARGE = defineError(
  'ERR_UPLOAD_TOO_LARGE',
  413,
  'Uploads for "%s" are limited to %s bytes',
  'Send a smaller file.'
)
export const E_STORAGE_QUOTA_EXCEEDED = defineError(
  'ERR_STORAGE_QUOTA_EXCEEDED',
  413,
  'The institution’s storage quota would be exceeded',
  'Delete files you no longer need (GET /api/v1/files/usage shows the usage) or ask for a larger quota.'
)
export const E_UPLOAD_NOT_FOUND = defineError(
  'ERR_UPLOAD_NOT_FOUND',
  404,
  'No upload "%s"',
  'Check the upload id; uploads of another institution or person are never visible.'
)
export const E_UPLOAD_LINK_INVALID = defineError(
  'ERR_UPLOAD_LINK_INVALID',
  403,
  'The upload link is invalid or has expired',
  'Ask for a new one: POST /api/v1/uploads.'
)
export const E_UPLOAD_EXPIRED = defineError(
  'ERR_UPLOAD_EXPIRED',
  410,
  'Upload "%s" has expired',
  'Ask for a new upload (POST /api/v1/uploads) and send the file again.'
)
export const E_UPLOAD_NOT_PENDING = defineError(
  'ERR_UPLOAD_NOT_PENDING',
  409,
  'Upload "%s" is %s',
  'An upload is confirmed once; ask for a new one to send another file.'
)
export const E_UPLOAD_INCOMPLETE = defineError(
  'ERR_UPLOAD_INCOMPLETE',
  409,
  'Nothing was uploaded for "%s" yet',
  'Send the file to the upload URL first, then confirm.'
)
export const E_UPLOAD_MISMATCH = defineError(
  'ERR_UPLOAD_MISMATCH',
  422,
  'The uploaded file does not match what was declared',
  'error.details lists the differences; ask for a new upload with the right size and type.'
)

/* Files (docs/storage.md) */
export const E_FILE_NOT_FOUND = defineError(
  'ERR_FILE_NOT_FOUND',
  404,
  'No file "%s"',
  'Check the file id; files of another institution are never visible.'
)
export const E_FILE_TOO_LARGE = defineError(
  'ERR_FILE_TOO_LARGE',
  413,
  'The file is larger than %s MB',
  'Send a smaller file (the limit is ORYNE_UPLOAD_MAX_MB).'
)
export const E_FILE_TYPE_NOT_ALLOWED = defineError(
  'ERR_FILE_TYPE_NOT_ALLOWED',
  415,
  'Files of type "%s" are not accepted',
  'Send one of the extensions listed in error.details.allowed.'
)
export const E_FILE_TYPE_MISMATCH = defineError(
  'ERR_FILE_TYPE_MISMATCH',
  415,
  'The file "%s" is not what its name says',
  'Send the file under a name whose extension matches its contents (a PDF as .pdf, a PNG as .png).'
)
export const E_FILE_LINK_INVALID = defineError(
  'ERR_FILE_LINK_INVALID',
  403,
  'The download link is invalid or has expired',
  'Ask for a fresh link: GET /api/v1/files/:id returns one.'
)
