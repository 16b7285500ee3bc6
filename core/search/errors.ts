import { defineError } from '../oryne_error.js'

/* Search (docs/search.md) */
export const E_SEARCH_UNAVAILABLE = defineError(
  'ERR_SEARCH_UNAVAILABLE',
  503,
  'Search is unavailable: %s',
  'Check the search driver (ORYNE_SEARCH_DRIVER, TYPESENSE_URL) and try again.'
)
