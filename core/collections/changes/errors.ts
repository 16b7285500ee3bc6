import { defineError } from '../../oryne_error.js'

/* Changes to a collection's fields (docs/collections.md, "Changing a collection") */
export const E_COLLECTION_CHANGE_UNCONFIRMED = defineError(
  'ERR_COLLECTION_CHANGE_UNCONFIRMED',
  409,
  'This change to %s removes or rewrites stored values and was not confirmed',
  'Read the plan in error.details (its destructive steps and affected rows), then send the same request with "confirm": true; a copy of the values is kept in a backup table.'
)
export const E_COLLECTION_CHANGE_REFUSED = defineError(
  'ERR_COLLECTION_CHANGE_REFUSED',
  422,
  'This change to %s cannot be applied to the records it holds',
  'error.details.plan lists each step with its problems; resolve them (a "default" for a required field, "on_invalid" for values that do not convert, or change the records) and send it again.'
)
export const E_COLLECTION_CHANGE_CONFLICT = defineError(
  'ERR_COLLECTION_CHANGE_CONFLICT',
  409,
  'Collection %s changed meanwhile: %s',
  'Read the collection again (its version) and plan the change against it.'
)
export const E_COLLECTION_CHANGE_FAILED = defineError(
  'ERR_COLLECTION_CHANGE_FAILED',
  422,
  'The database refused a step of this change to %s: %s; nothing was changed',
  'A stored value did not convert as the plan expected (error.details names the step); fix the records or pass "on_invalid", then send it again.'
)
