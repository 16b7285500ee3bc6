import { defineError } from '../oryne_error.js'

/* Access control: roles, API keys, MFA */
export const E_ROLE_NOT_FOUND = defineError(
  'ERR_ROLE_NOT_FOUND',
  404,
  'No role "%s"',
  'GET /api/v1/admin/roles lists the roles of this institution.'
)
export const E_ROLE_EXISTS = defineError(
  'ERR_ROLE_EXISTS',
  409,
  'A role named "%s" already exists',
  'Pick another name, or change the existing role.'
)
export const E_ROLE_BUILTIN = defineError(
  'ERR_ROLE_BUILTIN',
  409,
  'Role "%s" is built in: %s',
  'Create a custom role instead.'
)
export const E_ROLE_IN_USE = defineError(
  'ERR_ROLE_IN_USE',
  409,
  'Role "%s" is held by %s user(s)',
  'Assign those users other roles first (PUT /api/v1/admin/users/:id/roles).'
)
export const E_API_KEY_NOT_FOUND = defineError(
  'ERR_API_KEY_NOT_FOUND',
  404,
  'No API key "%s"',
  'GET /api/v1/admin/api-keys lists the keys of this institution.'
)
export const E_AUTH_API_KEY_EXPIRED = defineError(
  'ERR_AUTH_API_KEY_EXPIRED',
  401,
  'The API key has expired',
  'Ask a tenant admin for a new key.'
)
export const E_AUTH_API_KEY_REVOKED = defineError(
  'ERR_AUTH_API_KEY_REVOKED',
  401,
  'The API key was revoked',
  'Ask a tenant admin for a new key.'
)
