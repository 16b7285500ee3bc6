import {
  adminCreateUserValidator,
  adminUpdateUserValidator,
  setRolesValidator,
} from '../auth/validators.js'
import {
  auditQueryValidator,
  createApiKeyValidator,
  createRoleValidator,
  listUsersValidator,
  updateRoleValidator,
} from '../rbac/validators.js'
import {
  E_API_KEY_NOT_FOUND,
  E_LAST_TENANT_ADMIN,
  E_ROLE_BUILTIN,
  E_ROLE_EXISTS,
  E_ROLE_IN_USE,
  E_ROLE_NOT_FOUND,
  E_USER_EMAIL_TAKEN,
  E_USER_NOT_FOUND,
  E_BACKUP_NOT_FOUND,
  E_MFA_NOT_ENABLED,
  E_NOTIFICATION_DELIVERY_NOT_FOUND,
  E_NOTIFICATION_MANDATORY,
  E_NOTIFICATION_NOT_FOUND,
  E_NOTIFICATION_TEMPLATE_INVALID,
  E_NOTIFICATION_TEMPLATE_UNKNOWN,
  E_RESOURCE_NOT_FOUND,
} from '../errors.js'
import {
  inboxQueryValidator,
  pageQueryValidator,
  preferencesValidator,
  sendValidator,
  templateOverrideValidator,
} from '../notifications/validators.js'
import { searchQuery } from '../http/controllers/tenant/search_controller.js'
import { describeOperations, type OperationDoc } from './operations.js'
import { reportOperations } from '../reports/openapi.js'
import { arrayOf, ref, type JsonSchema } from './schemas.js'
// Platform services describe their routes next to their code.
import '../webhooks/openapi.js'
import './docs_operations.js'
import '../auth/openapi.js'
import '../jobs/openapi.js'
import '../tenancy/openapi.js'
import '../plugins/openapi.js'
import '../storage/openapi.js'
import '../notifications/stream_openapi.js'

/*
 * The core routes, described once. Request schemas are the routes' own
 * VineJS validators; answers are the schemas of schemas.ts.
 */

/** /api/v1/admin: each action checks its permission (core.users.read, core.users.manage, ...). */
function adminOperations(): Record<string, OperationDoc> {
  const users = 'Admin: users'
  const roles = 'Admin: roles'
  const keys = 'Admin: api-keys'
  const user = (summary: string, extra: Partial<OperationDoc> = {}): OperationDoc => ({
    summary,
    tags: [users],
    data: ref('User'),
    ...extra,
    errors: [E_USER_NOT_FOUND, ...(extra.errors ?? [])],
  })
  const role: JsonSchema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      description: { type: ['string', 'null'] },
      permissions: arrayOf({ type: 'string' }),
      builtin: { type: 'boolean' },
    },
    required: ['name', 'permissions'],
  }
  return {
    'GET /api/v1/admin/users': {
      summary: "The tenant's users",
      tags: [users],
      query: listUsersValidator,
      data: arrayOf(ref('User')),
      paginated: true,
    },
    'POST /api/v1/admin/users': {
      summary: 'Create a user (with a password) or invite one',
      description: 'An invited user comes with `invite_token`, answered once.',
      tags: [users],
      status: 201,
      location: '/api/v1/admin/users/{id}',
      body: adminCreateUserValidator,
      data: ref('User'),
      errors: [E_USER_EMAIL_TAKEN, E_ROLE_NOT_FOUND],
    },
    'GET /api/v1/admin/users/:id': user('A user'),
    'PATCH /api/v1/admin/users/:id': user('Change a user (email, name)', {
      body: adminUpdateUserValidator,
      errors: [E_USER_EMAIL_TAKEN],
    }),
    'PUT /api/v1/admin/users/:id/roles': user("Replace a user's roles", {
      body: setRolesValidator,
      errors: [E_ROLE_NOT_FOUND, E_LAST_TENANT_ADMIN],
    }),
    'POST /api/v1/admin/users/:id/disable': user('Disable a user (every session ends)', {
      errors: [E_LAST_TENANT_ADMIN],
    }),
    'POST /api/v1/admin/users/:id/enable': user('Enable a user again'),
    'GET /api/v1/admin/users/:id/export': user("Export a user's personal data (every plugin)", {
      data: { type: 'object' },
    }),
    'POST /api/v1/admin/users/:id/erase': user("Erase a user's personal data", {
      data: { type: 'object' },
      errors: [E_LAST_TENANT_ADMIN],
    }),
    'GET /api/v1/admin/roles': { summary: 'Roles', tags: [roles], data: arrayOf(role) },
    'POST /api/v1/admin/roles': {
      summary: 'Create a custom role',
      tags: [roles],
      status: 201,
      location: '/api/v1/admin/roles/{name}',
      body: createRoleValidator,
      data: role,
      errors: [E_ROLE_EXISTS],
    },
    'GET /api/v1/admin/roles/:name': {
      summary: 'A role',
      tags: [roles],
      data: role,
      errors: [E_ROLE_NOT_FOUND],
    },
    'PATCH /api/v1/admin/roles/:name': {
      summary: 'Change a role',
      tags: [roles],
      body: updateRoleValidator,
      data: role,
      errors: [E_ROLE_NOT_FOUND, E_ROLE_BUILTIN, E_ROLE_EXISTS],
    },
    'DELETE /api/v1/admin/roles/:name': {
      summary: 'Delete a custom role',
      tags: [roles],
      data: { type: 'object', properties: { deleted: { type: 'string' } } },
      errors: [E_ROLE_NOT_FOUND, E_ROLE_BUILTIN, E_ROLE_IN_USE],
    },
    'POST /api/v1/admin/api-keys': {
      summary: 'Create a partner API key',
      description: 'The key (`oryne_...`) is answered once; only its digest is kept.',
      tags: [keys],
      status: 201,
      location: '/api/v1/admin/api-keys/{id}',
      body: createApiKeyValidator,
      data: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] },
    },
    'DELETE /api/v1/admin/api-keys/:id': {
      summary: 'Revoke an API key',
      tags: [keys],
      data: { type: 'object' },
      errors: [E_API_KEY_NOT_FOUND],
    },
    'GET /api/v1/admin/audit': {
      summary: 'The audit log',
      tags: ['Admin: audit'],
      query: auditQueryValidator,
      data: arrayOf({ type: 'object' }),
      paginated: true,
    },
  }
}

const operations: Record<string, OperationDoc> = {
  ...adminOperations(),
}

describeOperations(operations)

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

const notification: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    title: { type: 'string' },
    body: { type: ['string', 'null'] },
    read_at: { type: ['string', 'null'], format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['id'],
}
const preferenceMatrix: JsonSchema = arrayOf({ type: 'object' })

describeOperations({
  'GET /api/v1/admin/users/:id/export': {
    summary: 'Everything Oryne holds about a user (personal-data export)',
    tags: ['Admin: users'],
    data: { type: 'object' },
    errors: [E_USER_NOT_FOUND],
  },
  'DELETE /api/v1/admin/users/:id/mfa': {
    summary: "Turn off a user's two-step verification (lost device)",
    tags: ['Admin: users'],
    data: ref('User'),
    errors: [E_USER_NOT_FOUND, E_MFA_NOT_ENABLED],
  },
  'GET /api/v1/admin/permissions': {
    summary: 'Every permission a role can hold: core’s and the enabled plugins’',
    tags: ['Admin: roles'],
    data: arrayOf({ type: 'object' }),
  },
  'GET /api/v1/admin/api-keys': {
    summary: 'The partner API keys of the tenant (never the secrets)',
    tags: ['Admin: api-keys'],
    data: arrayOf({ type: 'object' }),
  },
  'GET /api/v1/admin/api-keys/:id': {
    summary: 'One partner API key',
    tags: ['Admin: api-keys'],
    data: { type: 'object' },
    errors: [E_API_KEY_NOT_FOUND],
  },

  'GET /api/v1/notifications': {
    summary: 'Your in-app notifications, newest first',
    tags: ['Notifications'],
    query: inboxQueryValidator,
    data: arrayOf(notification),
    paginated: true,
  },
  'GET /api/v1/notifications/unread-count': {
    summary: 'How many of your notifications are unread',
    tags: ['Notifications'],
    data: { type: 'object', properties: { unread: { type: 'integer' } }, required: ['unread'] },
  },
  'POST /api/v1/notifications/read-all': {
    summary: 'Mark all your notifications read',
    tags: ['Notifications'],
    data: { type: 'object', properties: { marked: { type: 'integer' } }, required: ['marked'] },
  },
  'POST /api/v1/notifications/:id/read': {
    summary: 'Mark one notification read',
    tags: ['Notifications'],
    data: notification,
    errors: [E_NOTIFICATION_NOT_FOUND],
  },
  'GET /api/v1/notifications/preferences': {
    summary: 'Your channels (in-app, email, SMS, push) for each kind of notification',
    tags: ['Notifications'],
    data: preferenceMatrix,
  },
  'PUT /api/v1/notifications/preferences': {
    summary: 'Choose your channels per kind of notification (mandatory ones stay on)',
    tags: ['Notifications'],
    body: preferencesValidator,
    data: preferenceMatrix,
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN, E_NOTIFICATION_MANDATORY],
  },
  'GET /api/v1/admin/notifications/templates': {
    summary: 'Every notification template, with this tenant’s overrides',
    tags: ['Admin: notifications'],
    data: arrayOf({ type: 'object' }),
  },
  'PUT /api/v1/admin/notifications/templates/:key': {
    summary: 'Override a template’s wording for this tenant',
    tags: ['Admin: notifications'],
    body: templateOverrideValidator,
    data: { type: 'object' },
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN, E_NOTIFICATION_TEMPLATE_INVALID],
  },
  'DELETE /api/v1/admin/notifications/templates/:key': {
    summary: 'Back to the template’s own wording',
    tags: ['Admin: notifications'],
    data: { type: 'object' },
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN],
  },
  'GET /api/v1/admin/notifications/defaults': {
    summary: 'The channels new users get per kind of notification',
    tags: ['Admin: notifications'],
    data: preferenceMatrix,
  },
  'PUT /api/v1/admin/notifications/defaults': {
    summary: 'Set the channels new users get per kind of notification',
    tags: ['Admin: notifications'],
    body: preferencesValidator,
    data: preferenceMatrix,
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN, E_NOTIFICATION_MANDATORY],
  },
  'GET /api/v1/admin/notifications/dead-letters': {
    summary: 'Deliveries that failed for good (email, SMS, push), newest first',
    tags: ['Admin: notifications'],
    query: pageQueryValidator,
    data: arrayOf({ type: 'object' }),
    paginated: true,
  },
  'POST /api/v1/admin/notifications/dead-letters/:id/retry': {
    summary: 'Send a failed delivery again',
    tags: ['Admin: notifications'],
    data: { type: 'object' },
    errors: [E_NOTIFICATION_DELIVERY_NOT_FOUND],
  },
  'POST /api/v1/admin/notifications/send': {
    summary: 'Send a notice to users, roles or everyone (queued)',
    tags: ['Admin: notifications'],
    status: 202,
    body: sendValidator,
    data: { type: 'object' },
    errors: [E_NOTIFICATION_TEMPLATE_UNKNOWN],
  },

  'GET /api/v1/search': {
    summary: 'Search every resource you may list, ranked and merged',
    description:
      '`types=erp.students,lms.courses` narrows the resources; with one type, `facets=` counts matches ' +
      'per value and `filter[field]=` narrows as on the list endpoint. Row rules and field visibility ' +
      'apply as in each list.',
    tags: ['Search'],
    query: searchQuery,
    data: arrayOf({ type: 'object' }),
    paginated: true,
    errors: [E_RESOURCE_NOT_FOUND],
  },
})
