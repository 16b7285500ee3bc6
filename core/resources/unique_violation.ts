import { E_CONFLICT } from '../errors.js'
import { columnOfConstraintError, PG, type PgError } from './sql.js'

/*
 * A unique index is the last word when two requests race for the same value
 * (one open loan per copy, one bed per resident): the loser's insert fails
 * with PostgreSQL's unique_violation, which the caller turns into the 409
 * its users understand instead of a 500.
 */

/** Whether `error` is PostgreSQL's unique_violation (on `constraint`, when given). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = error as PgError | undefined
  return pg?.code === PG.uniqueViolation && (!constraint || pg.constraint === constraint)
}

/** The catalog's 409 for a unique violation, naming the column when PostgreSQL does. */
export function uniqueConflict(error: unknown) {
  const column = columnOfConstraintError(error as PgError)
  return new E_CONFLICT([`${column ?? 'a unique field'} is already taken`], {
    details: [
      {
        field: column ?? '',
        rule: 'unique',
        message: `This ${column ?? 'value'} is already used by another record`,
      },
    ],
  })
}

/**
 * Awaits a write; if it fails on a unique violation (of `constraint`, when
 * given), `answer` decides: an Error it returns is thrown, anything else is
 * the result (e.g. `null` for "someone else got there first"). Without
 * `answer`, the violation is ERR_CONFLICT (409). Other errors pass through.
 *
 *     const [row] = await onUniqueViolation(
 *       trx.insertQuery().table('hostel_allocations').insert(data).returning('*'),
 *       () => new E_ALREADY_ALLOCATED([label, 'just made'])
 *     )
 */
export async function onUniqueViolation<T, R = Error>(
  write: PromiseLike<T> | (() => PromiseLike<T>),
  answer: (error: PgError) => R = uniqueConflict as (error: PgError) => R,
  constraint?: string
): Promise<T | Exclude<R, Error>> {
  try {
    return await (typeof write === 'function' ? write() : write)
  } catch (error) {
    if (!isUniqueViolation(error, constraint)) throw error
    const answered = answer(error as PgError)
    if (answered instanceof Error) throw answered
    return answered as Exclude<R, Error>
  }
}
