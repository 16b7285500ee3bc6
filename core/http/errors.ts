import { defineError, OryneError } from '../oryne_error.js'

/* Generic HTTP */
export const E_NOT_FOUND = defineError(
  'ERR_NOT_FOUND',
  404,
  'Cannot %s %s',
  'Check the method and path against docs/api.md.'
)
export const E_METHOD_NOT_ALLOWED = defineError(
  'ERR_METHOD_NOT_ALLOWED',
  405,
  'Cannot %s %s: this path answers %s',
  'Use one of the methods in the Allow header (also in error.details.allow).'
)
export const E_VALIDATION = defineError(
  'ERR_VALIDATION',
  400,
  'The request is invalid',
  'Fix the fields listed in error.details and send the request again.'
)
export const E_BAD_REQUEST = defineError('ERR_BAD_REQUEST', 400, '%s')
export const E_PAYLOAD_TOO_LARGE = defineError(
  'ERR_PAYLOAD_TOO_LARGE',
  413,
  'The request body is too large'
)
export const E_HEADERS_TOO_LARGE = defineError(
  'ERR_HEADERS_TOO_LARGE',
  431,
  'The request headers are too large',
  'Send fewer or shorter headers (cookies, tokens): together they must stay under 16 KB.'
)
export const E_REQUEST_TIMEOUT = defineError(
  'ERR_REQUEST_TIMEOUT',
  408,
  'The request was not received in time',
  'Send the whole request without pausing, then retry.'
)
export const E_NUL_CHARACTER = defineError(
  'ERR_NUL_CHARACTER',
  400,
  'The request holds a NUL character (\\u0000) in its %s',
  'Remove the NUL characters: no text Oryne stores may hold one. error.details names the field.'
)
export const E_BODY_ENCODING_INVALID = defineError(
  'ERR_BODY_ENCODING_INVALID',
  400,
  'The request body is not what its Content-Encoding says (%s)',
  'Send the body compressed as Content-Encoding says, or uncompressed without that header.'
)
export const E_UNSUPPORTED_MEDIA_TYPE = defineError(
  'ERR_UNSUPPORTED_MEDIA_TYPE',
  415,
  'Unsupported content type "%s"',
  'Send JSON with Content-Type: application/json.'
)
export const E_RATE_LIMITED = defineError(
  'ERR_RATE_LIMITED',
  429,
  'Too many requests: %s',
  'Wait for the Retry-After delay (seconds), then retry; X-RateLimit-* headers show the budget.'
)
export const E_INTERNAL = defineError(
  'ERR_INTERNAL',
  500,
  'Something went wrong on our side',
  'Retry later; if it persists, report the request id to your platform admin.'
)
export const E_SERVICE_UNAVAILABLE = defineError(
  'ERR_SERVICE_UNAVAILABLE',
  503,
  'A service Oryne depends on is unavailable',
  'See error.details for the failing checks; retry after they recover.'
)

/**
 * The catalog error for anything thrown: catalog errors as they are, VineJS
 * validation failures as ERR_VALIDATION with their field messages, the rest as
 * ERR_INTERNAL (the original kept as `cause` for the logs, never shown).
 */
export function toOryneError(error: unknown): OryneError {
  if (error instanceof OryneError) return error
  if ((error as { code?: string })?.code === 'E_VALIDATION_ERROR') {
    return new E_VALIDATION([], { details: (error as { messages: unknown }).messages })
  }
  return new E_INTERNAL([], { cause: error })
}
