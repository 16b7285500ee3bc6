import { defineError } from '../oryne_error.js'

/* Tenant collections (docs/collections.md) */
export const E_COLLECTION_NOT_FOUND = defineError(
  'ERR_COLLECTION_NOT_FOUND',
  404,
  'No collection "%s"',
  'GET /api/v1/admin/collections lists the collections of this institution.'
)
export const E_COLLECTION_EXISTS = defineError(
  'ERR_COLLECTION_EXISTS',
  409,
  'A collection "%s" already exists',
  'Choose another name, or change the existing collection.'
)
export const E_COLLECTION_QUOTA = defineError(
  'ERR_COLLECTION_QUOTA',
  422,
  'Over the limit of %s (%s)',
  'Remove what is no longer needed, or ask the platform operator to raise the limit.'
)
export const E_COLLECTION_CONFIRM = defineError(
  'ERR_COLLECTION_CONFIRM',
  400,
  'Deleting collection "%s" needs ?confirm=%s',
  'Repeat the request with the collection name as the confirm parameter; its table is kept as a backup.'
)
export const E_COLLECTION_IN_USE = defineError(
  'ERR_COLLECTION_IN_USE',
  409,
  'Collection "%s" is referenced by other collections: %s',
  'Remove the reference fields that point to it (error.details names them) first.'
)
