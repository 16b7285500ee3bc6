/*
 * SQL text the resource engine builds. Identifiers come from resource
 * declarations (checked when they are compiled) or the tenant record, and are
 * always quoted; every value from a request is a bound parameter (`?`).
 */

/** A quoted identifier: `"name"`. */
export function ident(name: string) {
  return `"${name.replaceAll('"', '""')}"`
}

/** A quoted SQL string literal, for names fixed at compile time (jsonb keys). */
export function literal(value: string) {
  return `'${value.replaceAll("'", "''")}'`
}

/** Escapes `%`, `_` and the escape character itself for a LIKE pattern. */
export function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`)
}

/** SQL fragments joined with their bound values, in order. */
export class SqlParts {
  readonly parts: string[] = []
  readonly bindings: unknown[] = []

  /** Appends a fragment, with the values of its `?` placeholders. */
  add(fragment: string, ...values: unknown[]) {
    this.parts.push(fragment)
    this.bindings.push(...values)
    return this
  }

  get empty() {
    return this.parts.length === 0
  }

  join(separator: string) {
    return this.parts.join(separator)
  }
}

/** PostgreSQL error codes the engine turns into catalog errors. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  restrictViolation: '23001',
  notNullViolation: '23502',
  checkViolation: '23514',
  invalidText: '22P02',
  outOfRange: '22003',
} as const

export type PgError = Error & {
  code?: string
  constraint?: string
  detail?: string
  table?: string
  column?: string
}

/** The column named in a constraint error's detail: `Key (isbn)=(...) already exists.` */
export function columnOfConstraintError(error: PgError): string | undefined {
  const match = /^Key \(([^)]+)\)=/.exec(error.detail ?? '')
  return match?.[1]
}

/** Runs one statement with `?` placeholders and returns its rows. */
export async function selectRows(
  client: { rawQuery(sql: string, bindings?: any): Promise<any> },
  sql: string,
  bindings: readonly unknown[] = []
): Promise<Array<Record<string, any>>> {
  const result = await client.rawQuery(sql, bindings)
  return result.rows
}
