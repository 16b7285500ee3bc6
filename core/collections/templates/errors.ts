import { defineError } from '../../oryne_error.js'

/* Collection templates (docs/collections.md, "Templates") */
export const E_COLLECTION_TEMPLATE_FORMAT = defineError(
  'ERR_COLLECTION_TEMPLATE_FORMAT',
  422,
  'Not a collection template this Oryne reads: %s',
  'Export the template again with GET /api/v1/admin/collections/<name>/template (or `oryne collection export`) and import that file unchanged.'
)
export const E_COLLECTION_TEMPLATE_TARGETS = defineError(
  'ERR_COLLECTION_TEMPLATE_TARGETS',
  422,
  'The template refers to what this institution does not have: %s',
  'Enable the plugins and create (or import) the collections error.details names, then import the template again.'
)
