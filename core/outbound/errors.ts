import { defineError } from '../oryne_error.js'

/*
 * Outbound calls (core/outbound/client.ts, docs/operations.md "Security").
 * Messages name the service and what went wrong, never what the upstream
 * answered: that is logged, not shown.
 */
export const E_UPSTREAM_ADDRESS_REFUSED = defineError(
  'ERR_UPSTREAM_ADDRESS_REFUSED',
  502,
  'The %s is at an address Oryne does not call',
  'An administrator points it to a public address, or allows the private network in ORYNE_OUTBOUND_ALLOW (docs/operations.md).'
)
export const E_UPSTREAM_URL_INVALID = defineError(
  'ERR_UPSTREAM_URL_INVALID',
  502,
  'The %s address is not an http(s) URL',
  'An administrator corrects the address in the settings.'
)
export const E_UPSTREAM_UNREACHABLE = defineError(
  'ERR_UPSTREAM_UNREACHABLE',
  502,
  'The %s could not be reached',
  'Try again later; if it persists, an administrator checks the address in the settings.'
)
export const E_UPSTREAM_TIMEOUT = defineError(
  'ERR_UPSTREAM_TIMEOUT',
  504,
  'The %s did not answer in time',
  'Try again later.'
)
export const E_UPSTREAM_REDIRECT = defineError(
  'ERR_UPSTREAM_REDIRECT',
  502,
  'The %s answered with a redirect, which Oryne does not follow',
  'An administrator sets the address the service redirects to.'
)
export const E_UPSTREAM_TOO_LARGE = defineError(
  'ERR_UPSTREAM_TOO_LARGE',
  502,
  'The %s answered with more data than Oryne accepts',
  'Try again later; if it persists, an administrator checks the service.'
)
export const E_UPSTREAM_STATUS = defineError(
  'ERR_UPSTREAM_STATUS',
  502,
  'The %s answered HTTP %s',
  'Try again later; if it persists, an administrator checks the service and its credentials.'
)
export const E_UPSTREAM_INVALID_RESPONSE = defineError(
  'ERR_UPSTREAM_INVALID_RESPONSE',
  502,
  'The %s answered with something that is not the JSON it should send',
  'Try again later; if it persists, an administrator checks the address in the settings.'
)
