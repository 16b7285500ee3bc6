import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import type { FieldDefinition, FieldType } from './define_resource.js'
import { ident, literal } from './sql.js'

/*
 * One field as the engine uses it, compiled once: how to read it (SQL select
 * and filter expressions), which filter operators it takes and how their
 * values parse, and how a body value validates. Declared fields, the built-in
 * `id`, `created_at`, `updated_at` and tenant custom fields all compile here.
 */

export type Operator = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'contains' | 'null'

export const OPERATORS: readonly Operator[] = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'contains',
  'null',
]

/** What a value is, for parsing filters and choosing SQL casts. */
export type ValueKind =
  | 'string'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'enum'
  | 'json'
  | 'uuid'

const ORDERED: Operator[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'null']

/** Filter operators per kind of value (docs/resources.md lists them). */
export const OPERATORS_BY_KIND: Record<ValueKind, ReadonlySet<Operator>> = {
  string: new Set(['eq', 'ne', 'in', 'contains', 'null']),
  enum: new Set(['eq', 'ne', 'in', 'null']),
  integer: new Set(ORDERED),
  bigint: new Set(ORDERED),
  decimal: new Set(ORDERED),
  date: new Set(ORDERED),
  datetime: new Set(ORDERED),
  boolean: new Set(['eq', 'ne', 'null']),
  uuid: new Set(['eq', 'ne', 'in', 'null']),
  json: new Set(['null']),
}

/** SQL type a value of this kind is cast to when it comes back from a cursor. */
const CAST: Record<ValueKind, string> = {
  string: 'text',
  enum: 'text',
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'numeric',
  date: 'date',
  datetime: 'timestamptz',
  boolean: 'boolean',
  uuid: 'uuid',
  json: 'jsonb',
}

export type CompiledField = {
  /** Name in the API: `title`, or `custom.room` for a tenant custom field. */
  name: string
  type: FieldType | 'id' | 'timestamp'
  kind: ValueKind
  definition: FieldDefinition
  /** SELECT item, aliased to the API name (absent for custom fields, read from `custom`). */
  select?: string
  /** Expression filters and sorts compare. */
  expr: string
  /** Placeholder of a value compared with `expr` (`?`, or a jsonb conversion for custom fields). */
  param: string
  /** Text expression `contains` matches with ILIKE. */
  textExpr: string
  /** Cast applied to a cursor value of this field. */
  cast: string
  operators: ReadonlySet<Operator>
  sortable: boolean
  writable: boolean
  sensitive?: { permission: string; mode: 'omit' | 'mask' }
  /** Parses a filter value; throws an Error whose message says what is expected. */
  parse(raw: string): unknown
}

const INT32 = 2_147_483_647
const INT64 = 9_223_372_036_854_775_807n
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DECIMAL = /^-?\d{1,30}(?:\.\d{1,30})?$/

export function isIsoDate(value: string) {
  const match = DATE.exec(value)
  if (!match) return false
  const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]))
  return date.getUTCFullYear() === +match[1] && date.getUTCMonth() === +match[2] - 1
}

export function isIsoDateTime(value: string) {
  // Date.parse rolls 2026-02-30 over to March; PostgreSQL refuses it: the day must exist.
  return DATETIME.test(value) && isIsoDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value))
}

function isBigintId(value: string) {
  return /^\d{1,19}$/.test(value) && BigInt(value) <= INT64 && BigInt(value) > 0n
}

/** Parsers of filter values by kind; each throws with what it expected. */
function parserFor(kind: ValueKind, definition: FieldDefinition): (raw: string) => unknown {
  switch (kind) {
    case 'integer':
      return (raw) => {
        if (!/^-?\d{1,10}$/.test(raw) || Math.abs(Number(raw)) > INT32)
          throw new Error('expected an integer')
        return Number(raw)
      }
    case 'bigint':
      return (raw) => {
        if (!isBigintId(raw)) throw new Error('expected a positive integer id')
        return raw
      }
    case 'decimal':
      return (raw) => {
        if (!DECIMAL.test(raw)) throw new Error('expected a decimal number such as 12.50')
        return raw
      }
    case 'boolean':
      return (raw) => {
        if (raw !== 'true' && raw !== 'false') throw new Error('expected true or false')
        return raw === 'true'
      }
    case 'date':
      return (raw) => {
        if (!isIsoDate(raw)) throw new Error('expected a date as YYYY-MM-DD')
        return raw
      }
    case 'datetime':
      return (raw) => {
        if (!isIsoDateTime(raw)) throw new Error('expected an ISO 8601 date-time')
        return raw
      }
    case 'uuid':
      return (raw) => {
        if (!UUID.test(raw)) throw new Error('expected a UUID')
        return raw.toLowerCase()
      }
    case 'enum': {
      const values = new Set(definition.values ?? [])
      return (raw) => {
        if (!values.has(raw)) throw new Error(`expected one of ${[...values].join(', ')}`)
        return raw
      }
    }
    case 'json':
    case 'string':
      return (raw) => {
        if (raw.length > 1000) throw new Error('expected at most 1000 characters')
        return raw
      }
  }
}

export function kindOf(definition: FieldDefinition): ValueKind {
  switch (definition.type) {
    case 'string':
    case 'text':
    case 'file':
      return 'string'
    case 'reference':
      return definition.target === 'core.users' ? 'uuid' : 'bigint'
    default:
      return definition.type
  }
}

/* Body validation (VineJS), compiled once per resource and action. */

const isoDate = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'string' || !isIsoDate(value))
      field.report('The {{ field }} field must be a date as YYYY-MM-DD', 'date', field)
  },
  { name: 'date' }
)

const isoDateTime = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'string' || !isIsoDateTime(value))
      field.report('The {{ field }} field must be an ISO 8601 date-time', 'datetime', field)
  },
  { name: 'datetime' }
)

const bigintId = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
    if (typeof text !== 'string' || !isBigintId(text)) {
      field.report('The {{ field }} field must be the id of a record', 'reference', field)
      return
    }
    field.mutate(text, field)
  },
  { name: 'reference' }
)

const decimalFits = vine.createRule(
  (value: unknown, options: { precision: number; scale: number }, field: FieldContext) => {
    if (typeof value !== 'number') return
    const [whole, fraction = ''] = Math.abs(value).toString().split('.')
    // vine's message catalogue owns the wording of both rules, so the
    // arguments are what fills them in ("at most 2" decimal places; the
    // largest value that fits before the point).
    if (fraction.length > options.scale) {
      field.report('', 'decimal', field, { digits: `at most ${options.scale}` })
    } else if (whole.replace(/^0+/, '').length > options.precision - options.scale) {
      const largest = (10 ** (options.precision - options.scale) - 10 ** -options.scale).toFixed(
        options.scale
      )
      if (value < 0) field.report('', 'min', field, { min: `-${largest}` })
      else field.report('', 'max', field, { max: largest })
    }
  },
  { name: 'decimal' }
)

function numberOption(definition: FieldDefinition, key: 'min' | 'max' | 'precision' | 'scale') {
  const value = definition.options[key]
  return typeof value === 'number' ? value : undefined
}

/** The VineJS schema of one field's value (without optional/nullable). */
function valueSchema(definition: FieldDefinition) {
  const min = numberOption(definition, 'min')
  const max = numberOption(definition, 'max')
  switch (definition.type) {
    case 'string':
    case 'text': {
      let schema = vine.string()
      const limit = max ?? (definition.type === 'string' ? 255 : undefined)
      if (min !== undefined) schema = schema.minLength(min)
      if (limit !== undefined) schema = schema.maxLength(limit)
      const pattern = definition.options.pattern
      if (pattern instanceof RegExp) schema = schema.regex(pattern)
      return schema
    }
    case 'file':
      return vine.string().maxLength(500)
    case 'integer':
      return vine
        .number({ strict: true })
        .withoutDecimals()
        .min(min ?? -INT32)
        .max(max ?? INT32)
    case 'decimal': {
      // Not strict: decimals come back as strings ("12.50"), and a record read may be written back.
      let schema = vine.number().use(
        decimalFits({
          precision: numberOption(definition, 'precision') ?? 12,
          scale: numberOption(definition, 'scale') ?? 2,
        })
      )
      if (min !== undefined) schema = schema.min(min)
      if (max !== undefined) schema = schema.max(max)
      return schema
    }
    case 'boolean':
      return vine.boolean({ strict: true })
    case 'date':
      return vine.any().use(isoDate())
    case 'datetime':
      return vine.any().use(isoDateTime())
    case 'enum':
      return vine.enum(definition.values ?? [])
    case 'json':
      return vine.any()
    case 'reference':
      return definition.target === 'core.users' ? vine.string().uuid() : vine.any().use(bigintId())
  }
}

/**
 * The VineJS schema of a field in a body: on create, required fields without a
 * default must be given; on update everything is optional; only fields that
 * are not required may be set to null.
 */
export function bodySchema(definition: FieldDefinition, action: 'create' | 'update') {
  const schema = valueSchema(definition)
  const required = definition.options.required === true
  if (action === 'create' && required && definition.options.default === undefined) return schema
  return required ? schema.optional() : schema.optional().nullable()
}

/* Reading: SQL expressions per field. */

/** A declared field (or a built-in column) read from its own column of the table aliased `t`. */
export function columnField(
  name: string,
  definition: FieldDefinition,
  options: { type?: CompiledField['type']; kind?: ValueKind; writable?: boolean } = {}
): CompiledField {
  const kind = options.kind ?? kindOf(definition)
  const column = `t.${ident(name)}`
  const select = kind === 'date' ? `to_char(${column}, 'YYYY-MM-DD') AS ${ident(name)}` : column
  const sensitive = definition.options.sensitive
  return {
    name,
    type: options.type ?? definition.type,
    kind,
    definition,
    select,
    expr: column,
    param: '?',
    textExpr: column,
    cast: CAST[kind],
    operators: OPERATORS_BY_KIND[kind],
    sortable: kind !== 'json',
    writable: options.writable ?? definition.options.readOnly !== true,
    sensitive: sensitive
      ? { permission: sensitive.permission, mode: sensitive.mode ?? 'omit' }
      : undefined,
    parse: parserFor(kind, definition),
  }
}

/**
 * A tenant custom field, read from the row's `custom` jsonb. Numbers and
 * booleans are compared as jsonb (never a failing cast), the others as text;
 * validated writes keep each value of its declared type.
 */
export function customField(name: string, definition: FieldDefinition): CompiledField {
  const kind = kindOf(definition)
  const key = literal(name)
  const asJson = kind === 'integer' || kind === 'decimal' || kind === 'boolean'
  const json = `(t."custom"->${key})`
  const text = `(t."custom"->>${key})`
  return {
    name: `custom.${name}`,
    type: definition.type,
    kind,
    definition,
    expr: asJson ? json : text,
    param: asJson ? `to_jsonb(?::${kind === 'boolean' ? 'boolean' : 'numeric'})` : '?',
    textExpr: text,
    cast: asJson ? 'jsonb' : 'text',
    operators: OPERATORS_BY_KIND[kind],
    sortable: true,
    writable: true,
    parse: parserFor(kind, definition),
  }
}
