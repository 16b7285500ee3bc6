import { E_VALIDATION } from '@oryne/sdk'

/** A 400 naming one field, as the engine reports its own validation failures. */
export function invalidField(field: string, rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field, rule, message }] })
}
