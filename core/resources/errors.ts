import { defineError } from '../oryne_error.js'

/* Low-code resources */
export const E_RECORD_NOT_FOUND = defineError(
  'ERR_RECORD_NOT_FOUND',
  404,
  'No %s record with id "%s"',
  'Check the id; the record may not exist, or your role may not let you see it.'
)
export const E_RESOURCE_NOT_FOUND = defineError(
  'ERR_RESOURCE_NOT_FOUND',
  404,
  'No resource "%s"',
  'Resources are named <plugin>/<resource>; GET /api/v1/openapi.json lists them.'
)
export const E_CONFLICT = defineError(
  'ERR_CONFLICT',
  409,
  'Conflicts with existing data: %s',
  'Change the fields listed in error.details (a unique value is already taken).'
)
export const E_RECORD_IN_USE = defineError(
  'ERR_RECORD_IN_USE',
  409,
  'This %s record is still referenced by other records',
  'Delete or change the records that reference it first (error.details names them).'
)
export const E_CUSTOM_FIELD_NOT_FOUND = defineError(
  'ERR_CUSTOM_FIELD_NOT_FOUND',
  404,
  '%s has no custom field "%s"',
  'GET /api/v1/admin/resources/<plugin>/<resource>/fields lists them.'
)
