import { E_VALIDATION } from '../errors.js'

/**
 * A 400 naming one field, as the resource engine reports its own validation
 * failures: `throw invalidField('starts_on', 'after', 'Starts after it ends')`
 * answers `ERR_VALIDATION` with `details: [{ field, rule, message }]`.
 */
export function invalidField(field: string, rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field, rule, message }] })
}
