import { defineError } from '../../oryne_error.js'

/* Collection automations (docs/collections.md, "Automations") */
export const E_AUTOMATION_NOT_FOUND = defineError(
  'ERR_AUTOMATION_NOT_FOUND',
  404,
  'Collection "%s" has no automation %s',
  'GET /api/v1/admin/collections/<name>/automations lists them.'
)
export const E_AUTOMATION_INVALID = defineError(
  'ERR_AUTOMATION_INVALID',
  422,
  'The automation names what does not exist: %s',
  'Fix what error.details lists (a field of the collection, a collection, a role or a user of this institution).'
)
export const E_AUTOMATION_RUN_NOT_FOUND = defineError(
  'ERR_AUTOMATION_RUN_NOT_FOUND',
  404,
  'The automation has no run %s',
  'GET /api/v1/admin/collections/<name>/automations/<id>/runs lists its runs.'
)
export const E_AUTOMATION_RUN_NOT_FAILED = defineError(
  'ERR_AUTOMATION_RUN_NOT_FAILED',
  409,
  'Run %s is %s; only a failed run is retried by hand',
  'Wait for it to finish; a run that is still retrying on its own needs nothing.'
)
export const E_AUTOMATION_DISABLED = defineError(
  'ERR_AUTOMATION_DISABLED',
  409,
  'Automation %s is disabled',
  'Enable it (PATCH with enabled: true) before retrying its runs.'
)
