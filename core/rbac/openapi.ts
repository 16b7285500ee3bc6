import { describeOperations, type OperationDoc } from '../openapi/operations.js'
import { arrayOf, ref, type JsonSchema } from '../openapi/schemas.js'
import {
  E_LAST_TENANT_ADMIN,
  E_MFA_NOT_ENABLED,
  E_USER_EMAIL_TAKEN,
  E_USER_NOT_FOUND,
} from '../auth/errors.js'
import {
  adminCreateUserValidator,
  adminUpdateUserValidator,
  setRolesValidator,
} from '../auth/validators.js'
import {
  E_API_KEY_NOT_FOUND,
  E_ROLE_BUILTIN,
  E_ROLE_EXISTS,
  E_ROLE_IN_USE,
  E_ROLE_NOT_FOUND,
} from './errors.js'
import {
  auditQueryValidator,
  createApiKeyValidator,
  createRoleValidator,
  listUsersValidator,
  updateRoleValidator,
} from './validators.js'

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

/* The tenant admin's access routes (core/rbac/routes.ts). */
describeOperations({
  ...adminOperations(),
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
})
