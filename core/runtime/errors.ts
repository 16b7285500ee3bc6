import { defineError } from '../oryne_error.js'

/* Configuration and runtime */
export const E_CONFIG_MISSING = defineError(
  'ERR_CONFIG_MISSING',
  500,
  '%s',
  'Set the variables named above; README.md lists them all.'
)
export const E_CONFIG_INVALID = defineError(
  'ERR_CONFIG_INVALID',
  500,
  '%s',
  'Correct the variable named above; README.md describes each one.'
)
