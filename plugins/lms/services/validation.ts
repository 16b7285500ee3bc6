import { invalidField } from '@oryne/sdk'

type Row = Record<string, unknown>

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
