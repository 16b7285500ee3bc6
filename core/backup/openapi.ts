import { describeOperations } from '../openapi/operations.js'
import { arrayOf, type JsonSchema } from '../openapi/schemas.js'
import { E_BACKUP_NOT_FOUND } from '../fleet/errors.js'

const backupEntry: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    reason: { type: 'string' },
    actor: { type: 'string' },
    size_bytes: { type: 'integer' },
    sha256: { type: 'string' },
    encrypted: { type: 'boolean' },
    with_files: { type: 'boolean' },
    summary: { type: 'object' },
    created_at: { type: 'string', format: 'date-time' },
    present: { type: 'boolean' },
  },
  required: ['id', 'created_at', 'present'],
}

/* The institution's backups (core/backup/routes.ts). */
describeOperations({
  'GET /api/v1/admin/backups': {
    summary: 'The institution’s backups, newest first',
    description: 'Needs core.backups.manage. Server paths are never shown.',
    tags: ['Admin: backups'],
    data: arrayOf(backupEntry),
  },
  'GET /api/v1/admin/backups/:id/download': {
    summary: 'Download a backup archive',
    tags: ['Admin: backups'],
    raw: { contentType: 'application/gzip' },
    errors: [E_BACKUP_NOT_FOUND],
  },
  'POST /api/v1/admin/backups/:id/restore-request': {
    summary: 'Ask the platform admins to restore a backup',
    description:
      'Recorded in the tenant history (`backup.restore_requested`) and the audit log; a platform ' +
      'admin restores with `oryne backup restore`.',
    tags: ['Admin: backups'],
    status: 202,
    data: {
      type: 'object',
      properties: { backup_id: { type: 'string' }, status: { const: 'requested' } },
      required: ['backup_id', 'status'],
    },
    errors: [E_BACKUP_NOT_FOUND],
  },
})
