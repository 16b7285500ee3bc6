import { describeOperations } from '../openapi/operations.js'
import { type JsonSchema } from '../openapi/schemas.js'
import {
  E_FILE_LINK_INVALID,
  E_FILE_NOT_FOUND,
  E_FILE_TOO_LARGE,
  E_FILE_TYPE_MISMATCH,
  E_FILE_TYPE_NOT_ALLOWED,
} from '../errors.js'
import {
  E_STORAGE_QUOTA_EXCEEDED,
  E_UPLOAD_EXPIRED,
  E_UPLOAD_INCOMPLETE,
  E_UPLOAD_LINK_INVALID,
  E_UPLOAD_MISMATCH,
  E_UPLOAD_NOT_FOUND,
  E_UPLOAD_NOT_PENDING,
  E_UPLOAD_PURPOSE_UNKNOWN,
  E_UPLOAD_TOO_LARGE,
  E_UPLOAD_TYPE_NOT_ALLOWED,
} from './errors.js'
import { uploadRequestValidator } from './validators.js'

const upload: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    purpose: { type: 'string' },
    name: { type: 'string' },
    content_type: { type: 'string' },
    size: { type: 'integer' },
    status: { enum: ['pending', 'confirmed', 'rejected'] },
    expires_at: { type: 'string', format: 'date-time' },
    file_id: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'purpose', 'status'],
}
const tags = ['Files']
const fileRecord: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    content_type: { type: 'string' },
    size: { type: 'integer' },
    download: { type: 'string', description: 'A signed link to the bytes, usable as it is.' },
  },
  required: ['id', 'download'],
}

/* Presigned uploads and the storage quota (docs/storage.md). */
describeOperations({
  'POST /api/v1/uploads': {
    summary: 'Declare an upload: reserves its size, returns the signed URL to PUT the bytes to',
    description:
      '`upload` is `{method: "PUT", url, headers, expires_at}`: an S3 presigned URL with the s3 driver, ' +
      "Oryne's own signed `/api/v1/uploads/:id/content` with the fs driver.",
    tags,
    status: 201,
    location: '/api/v1/uploads/{id}',
    body: uploadRequestValidator,
    data: {
      allOf: [upload, { type: 'object', properties: { upload: { type: 'object' } }, required: ['upload'] }],
    },
    errors: [
      E_UPLOAD_PURPOSE_UNKNOWN,
      E_UPLOAD_TYPE_NOT_ALLOWED,
      E_UPLOAD_TOO_LARGE,
      E_STORAGE_QUOTA_EXCEEDED,
    ],
  },
  'GET /api/v1/uploads/:id': {
    summary: 'One of your uploads',
    tags,
    data: upload,
    errors: [E_UPLOAD_NOT_FOUND],
  },
  'PUT /api/v1/uploads/:id/content': {
    summary: 'The signed upload target of the fs driver (the raw bytes, with the declared Content-Type)',
    description: 'Authorised by `expires` and `signature` in the URL alone; answers 204.',
    tags,
    security: [],
    status: 204,
    errors: [E_UPLOAD_LINK_INVALID, E_UPLOAD_NOT_PENDING, E_UPLOAD_TOO_LARGE],
  },
  'POST /api/v1/uploads/:id/confirm': {
    summary: 'Check the stored object against the declaration and record the file',
    tags,
    data: {
      type: 'object',
      properties: { upload, file: { type: 'object' } },
      required: ['upload', 'file'],
    },
    errors: [
      E_UPLOAD_NOT_FOUND,
      E_UPLOAD_NOT_PENDING,
      E_UPLOAD_INCOMPLETE,
      E_UPLOAD_EXPIRED,
      E_UPLOAD_MISMATCH,
    ],
  },
  'GET /api/v1/files/usage': {
    summary: "The institution's storage usage against its quota",
    tags,
    data: {
      type: 'object',
      properties: Object.fromEntries(
        ['quota_bytes', 'used_bytes', 'reserved_bytes', 'available_bytes', 'files', 'pending_uploads'].map(
          (name) => [name, { type: 'integer' }]
        )
      ),
    },
  },

  'POST /api/v1/files': {
    summary: 'Upload a file (multipart field `file`) up to ORYNE_UPLOAD_MAX_MB',
    description:
      'The stored type is the one the name and the bytes agree on; `download` is a signed link that works as it is.',
    tags,
    status: 201,
    location: '/api/v1/files/{id}',
    multipart: {
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' } },
      required: ['file'],
    },
    data: fileRecord,
    errors: [
      E_FILE_TOO_LARGE,
      E_FILE_TYPE_NOT_ALLOWED,
      E_FILE_TYPE_MISMATCH,
      E_STORAGE_QUOTA_EXCEEDED,
    ],
  },
  'GET /api/v1/files/:id': {
    summary: 'A file you uploaded (or any, with core.files.manage), with a fresh signed link',
    tags,
    data: fileRecord,
    errors: [E_FILE_NOT_FOUND],
  },
  'DELETE /api/v1/files/:id': {
    summary: 'Delete a file you uploaded (or any, with core.files.manage)',
    tags,
    data: { type: 'object' },
    errors: [E_FILE_NOT_FOUND],
  },
  'GET /api/v1/files/:id/download': {
    summary: "A file's bytes, authorised by the signed link alone (`expires`, `signature`)",
    tags,
    security: [],
    raw: { contentType: 'application/octet-stream', schema: { type: 'string', format: 'binary' } },
    errors: [E_FILE_LINK_INVALID, E_FILE_NOT_FOUND],
  },
})

