import { defineError } from '../../oryne_error.js'

/* Saved views of tenant collections (docs/collections.md, "Views") */
export const E_VIEW_NOT_FOUND = defineError(
  'ERR_VIEW_NOT_FOUND',
  404,
  'Collection "%s" has no view %s',
  'GET /api/v1/collections/<name>/views lists the views of a collection.'
)
export const E_VIEW_EXISTS = defineError(
  'ERR_VIEW_EXISTS',
  409,
  'Collection "%s" already has a view named "%s"',
  'Choose another name, or change the existing view.'
)
export const E_VIEW_INVALID = defineError(
  'ERR_VIEW_INVALID',
  422,
  'The view does not fit the fields of collection "%s"',
  'Fix the settings listed in error.details (a field the collection does not have, or of the wrong type for this kind of view).'
)
