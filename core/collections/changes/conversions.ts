import type { ColumnSnapshot } from '../../resources/snapshot.js'
import { literal } from '../../resources/sql.js'

/*
 * How the stored values of a column become values of another column type, as
 * SQL over the quoted column: which values convert (`fits`), what they become
 * (`cast`) and which of them change on the way (`alters`: a fraction rounded,
 * a time of day dropped). The planner counts the rows that do not fit or
 * change, the applier writes the USING clause. Every expression assumes a
 * non-null value; NULL stays NULL.
 */

export type Conversion = {
  /** Whether a value converts (SQL boolean); absent: every value does. */
  fits?: (column: string) => string
  /** The converted value. */
  cast: (column: string) => string
  /** Whether a value that fits is changed by the conversion (SQL boolean); absent: none is. */
  alters?: (column: string) => string
  /** Whether the new type can hold less than the old one, so the change needs a backup and confirmation. */
  lossy: boolean
}

export type NoConversion = { unsupported: string }

/** The SQL type of a column as the resource engine creates it (an enum is text with a CHECK). */
export function sqlType(column: ColumnSnapshot): string {
  switch (column.type) {
    case 'varchar':
      return `varchar(${column.length ?? 255})`
    case 'numeric':
      return `numeric(${column.precision ?? 12}, ${column.scale ?? 2})`
    case 'enum':
      return 'text'
    default:
      return column.type
  }
}

/**
 * A default value as an SQL literal, untyped the way the schema builder
 * writes it when it creates the table (PostgreSQL stores it as the column's
 * type), so a changed table and a created one keep the same defaults.
 */
export function defaultLiteral(value: string | number | boolean | null) {
  if (value === null) return 'NULL'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return literal(String(value))
}

/** The predicate an enum's CHECK constraint holds. */
export function enumPredicate(column: string, values: readonly string[]) {
  return `${column} IN (${values.map(literal).join(', ')})`
}

const INTEGER = /^\s*[+-]?\d{1,10}\s*$/
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/
const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/
const BOOLEAN_WORDS = ['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', 'on', 'off', '1', '0']

const matches = (text: string, pattern: RegExp) => `${text} ~ ${literal(pattern.source)}`

/** The value as text: a JSON scalar without its quotes, anything else as PostgreSQL prints it. */
function asText(from: ColumnSnapshot, column: string) {
  return from.type === 'jsonb' ? `(${column} #>> '{}')` : `${column}::text`
}

const textual = (column: ColumnSnapshot) =>
  column.type === 'varchar' || column.type === 'text' || column.type === 'enum'

/** Whether a value of `from` may keep every value of a text column of `to` unchanged. */
function keepsText(from: ColumnSnapshot, to: ColumnSnapshot) {
  if (to.type === 'text') return true
  if (to.type !== 'varchar') return false
  return from.type !== 'jsonb' && from.type !== 'timestamptz'
}

/**
 * How values of `from` convert to `to`, or why they cannot (references keep
 * their type: their ids mean nothing elsewhere). Same type and same
 * parameters is no conversion at all (the caller does not ask).
 */
export function conversionOf(from: ColumnSnapshot, to: ColumnSnapshot): Conversion | NoConversion {
  const reference = (column: ColumnSnapshot) => Boolean(column.references)
  if (reference(from) || reference(to))
    return {
      unsupported:
        'a reference keeps its type and target; remove the field and add a new one instead',
    }
  const text = (column: string) => asText(from, column)

  switch (to.type) {
    case 'text':
      return { cast: text, lossy: false }
    case 'varchar': {
      const length = to.length ?? 255
      const longer = from.type === 'varchar' && (from.length ?? 255) <= length
      return {
        fits: longer ? undefined : (c) => `char_length(${text(c)}) <= ${length}`,
        cast: (c) => `${text(c)}::varchar(${length})`,
        lossy: !keepsText(from, to),
      }
    }
    case 'enum':
      return {
        fits: (c) => enumPredicate(text(c), to.values ?? []),
        cast: text,
        lossy: !(from.type === 'enum' || textual(from)),
      }
    case 'jsonb':
      return { cast: (c) => `to_jsonb(${c})`, lossy: false }
    case 'integer':
      if (from.type === 'numeric')
        return {
          fits: (c) => `round(${c}) BETWEEN -2147483648 AND 2147483647`,
          cast: (c) => `round(${c})::integer`,
          alters: (c) => `${c} <> trunc(${c})`,
          lossy: true,
        }
      if (from.type === 'boolean') return { cast: (c) => `${c}::integer`, lossy: true }
      if (textual(from) || from.type === 'jsonb')
        return {
          fits: (c) =>
            `CASE WHEN ${matches(text(c), INTEGER)} THEN trim(${text(c)})::bigint BETWEEN -2147483648 AND 2147483647 ELSE false END`,
          cast: (c) => `trim(${text(c)})::integer`,
          lossy: true,
        }
      break
    case 'numeric': {
      const bound = `1e${(to.precision ?? 12) - (to.scale ?? 2)}`
      const scale = to.scale ?? 2
      if (from.type === 'integer' || from.type === 'numeric')
        return {
          fits: (c) => `abs(round(${c}, ${scale})) < ${bound}`,
          cast: (c) => `round(${c}, ${scale})`,
          alters: from.type === 'numeric' ? (c) => `${c} <> round(${c}, ${scale})` : undefined,
          lossy: from.type === 'numeric' && (from.scale ?? 2) > scale,
        }
      if (textual(from) || from.type === 'jsonb')
        return {
          fits: (c) =>
            `CASE WHEN ${matches(text(c), DECIMAL)} THEN abs(round(trim(${text(c)})::numeric, ${scale})) < ${bound} ELSE false END`,
          cast: (c) => `round(trim(${text(c)})::numeric, ${scale})`,
          lossy: true,
        }
      break
    }
    case 'boolean':
      if (from.type === 'integer') return { cast: (c) => `${c} <> 0`, lossy: true }
      if (textual(from) || from.type === 'jsonb')
        return {
          fits: (c) => `lower(trim(${text(c)})) IN (${BOOLEAN_WORDS.map(literal).join(', ')})`,
          cast: (c) => `lower(trim(${text(c)}))::boolean`,
          lossy: true,
        }
      break
    case 'date':
      if (from.type === 'timestamptz')
        return {
          cast: (c) => `${c}::date`,
          alters: (c) => `${c} <> ${c}::date::timestamptz`,
          lossy: true,
        }
      if (textual(from) || from.type === 'jsonb')
        return {
          fits: (c) => matches(`trim(${text(c)})`, DATE),
          cast: (c) => `trim(${text(c)})::date`,
          lossy: true,
        }
      break
    case 'timestamptz':
      if (from.type === 'date') return { cast: (c) => `${c}::timestamptz`, lossy: false }
      if (textual(from) || from.type === 'jsonb')
        return {
          fits: (c) => matches(`trim(${text(c)})`, DATETIME),
          cast: (c) => `trim(${text(c)})::timestamptz`,
          lossy: true,
        }
      break
  }
  return { unsupported: `${describeType(from)} values do not convert to ${describeType(to)}` }
}

export function describeType(column: ColumnSnapshot) {
  if (column.type === 'enum') return `enum (${(column.values ?? []).join(', ')})`
  return sqlType(column)
}

/** Whether two columns have the same stored type (an enum's values aside). */
export function sameType(a: ColumnSnapshot, b: ColumnSnapshot) {
  return (
    sqlType(a) === sqlType(b) && a.type === b.type && a.references?.table === b.references?.table
  )
}
