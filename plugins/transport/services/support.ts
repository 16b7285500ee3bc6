import { E_VALIDATION, type Principal } from '@oryne/sdk'

export type Row = Record<string, any>

/** A 400 naming one field, as the engine reports its own validation failures. */
export function invalidField(field: string, rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field, rule, message }] })
}

/** The user id of the caller, for `changed_by`-style columns (null for the platform and API keys). */
export function userIdOf(principal: Principal) {
  return principal.kind === 'user' ? principal.id : null
}
