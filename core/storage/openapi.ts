import { describeOperations } from '../openapi/operations.js'
import { type JsonSchema } from '../openapi/schemas.js'
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

/* Presigned uploads and the storage quota (docs/storage.md). */
describeOperations({
  'POST /api/v1/uploads': {
    summary: 'Declare an upload: reserves its size, returns the signed URL to PUT the bytes to',
    description:
      '`upload` is `{method: "PUT", url, headers, expires_at}`: an S3 presigned URL with the s3 driver, ' +
      "Oryne's own signed `/api/v1/uploads/:id/content` with the fs driver.",
    tags,
    status: 201,
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
})
