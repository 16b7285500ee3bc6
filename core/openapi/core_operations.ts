import { E_BACKUP_NOT_FOUND } from '../errors.js'
import { describeOperations } from './operations.js'
import { reportOperations } from '../reports/openapi.js'
import { arrayOf, type JsonSchema } from './schemas.js'
// Platform services describe their routes next to their code.
import '../webhooks/openapi.js'
import './docs_operations.js'
import '../auth/openapi.js'
import '../rbac/openapi.js'
import '../jobs/openapi.js'
import '../tenancy/openapi.js'
import '../plugins/openapi.js'
import '../storage/openapi.js'
import '../notifications/stream_openapi.js'
import '../notifications/openapi.js'
import '../search/openapi.js'

/*
 * The core routes, described once. Request schemas are the routes' own
 * VineJS validators; answers are the schemas of schemas.ts.
 */

/* Routes added for the admin console (docs/console.md); any client may use them. */
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
  'GET /api/v1/platform/fleet': {
    summary: 'The fleet’s migration state',
    description:
      'Tenants at their target, to check, failed in the last run (`oryne migrate status`).',
    tags: ['Platform: fleet'],
    data: {
      type: 'object',
      properties: {
        tenants: { type: 'integer' },
        up_to_date: { type: 'integer' },
        to_check: { type: 'integer' },
        failed: arrayOf({ type: 'object' }),
        last_run: { type: ['object', 'null'] },
      },
      required: ['tenants', 'up_to_date', 'to_check', 'failed'],
    },
  },
})

/* Reports (docs/reports.md): exports, documents, the dashboard and scheduled reports. */
describeOperations(reportOperations)

describeOperations({})
