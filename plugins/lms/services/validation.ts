import { E_VALIDATION } from '@oryne/sdk'

type Row = Record<string, unknown>

/** A 400 naming one field, as the engine reports its own validation failures. */
export function invalidField(field: string, rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field, rule, message }] })
}

/** Refuses a change of fields that identify a record (its course, its student). */
export function assertUnchanged(changes: Row, before: Row, fields: string[]) {
  for (const name of fields) {
    if (name in changes && String(changes[name]) !== String(before[name])) {
      throw invalidField(
        name,
        'immutable',
        `The ${name} field cannot change; create a new record instead`
      )
    }
  }
}
