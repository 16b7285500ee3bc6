import { E_VALIDATION } from '../errors.js'
import type { ResourcePrincipal } from './define_resource.js'
import { MASK, visibilityOf, type RowCondition } from './access.js'
import { matchCondition, type MatchMode } from '../search/document.js'
import type { ResourceCustomFields } from './custom_fields.js'
import { OPERATORS, type CompiledField, type Operator } from './fields.js'
import type { ResourceModel, SortKey } from './model.js'
import { escapeLike, ident, SqlParts } from './sql.js'

/*
 * The query string of resource routes: filters, sort, pagination, sparse
 * fields, includes and search, parsed against the resource (never passed to
 * SQL as text), then the one SELECT that answers a list.
 */

export type Detail = { field: string; rule: string; message: string }

export type Filter = { field: CompiledField; op: Operator; value: unknown }

export type ListQuery = {
  filters: Filter[]
  /** Sort keys, ending with `id` so that the order is total. */
  sort: SortKey[]
  /** The sort as given back in cursors: `-title,id`. */
  sortSignature: string
  mode: 'page' | 'cursor'
  page: number
  perPage: number
  /** Cursor mode: the sort values of the last row already seen (as text), or null for the first page. */
  after: Array<string | null> | null
  fields: Set<string> | null
  include: string[]
  search: string | null
}

export type ShowQuery = { fields: Set<string> | null; include: string[] }

export const DEFAULT_PER_PAGE = 25
export const MAX_PER_PAGE = 100
const MAX_IN_VALUES = 100

const FILTER_KEY = /^filter\[([^\][]+)\](?:\[([^\][]*)\])?$/
const LIST_KEYS = new Set(['sort', 'page', 'per_page', 'cursor', 'fields', 'include', 'search'])
const SHOW_KEYS = new Set(['fields', 'include'])

function fail(details: Detail[]): never {
  throw new E_VALIDATION([], { details })
}

/** Every parameter once; a repeated one is refused rather than silently picked. */
function readParams(query: string | null | undefined, details: Detail[]) {
  const params = new Map<string, string>()
  if (!query) return params
  for (const [key, value] of new URLSearchParams(query)) {
    if (params.has(key))
      details.push({ field: key, rule: 'repeated', message: `${key} is given more than once` })
    params.set(key, value)
  }
  return params
}

function list(value: string) {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

/** A field the caller may filter or sort on: known, and not hidden from them. */
function findField(
  model: ResourceModel,
  custom: ResourceCustomFields,
  name: string,
  principal: ResourcePrincipal
) {
  const field = model.fields.get(name) ?? custom.fields.get(name)
  if (!field) return { problem: 'unknown_field', message: `${model.key} has no field "${name}"` }
  if (visibilityOf(field, principal) !== 'value')
    return {
      problem: 'forbidden_field',
      message: `Using "${name}" needs the ${field.sensitive!.permission} permission`,
    }
  return { field }
}

function parseFields(model: ResourceModel, value: string, details: Detail[]) {
  const names = list(value)
  for (const name of names) {
    if (!model.fields.has(name) && !(name === 'custom' && model.customFields)) {
      details.push({ field: 'fields', rule: 'unknown_field', message: `Unknown field "${name}"` })
    }
  }
  return new Set(names)
}

function parseInclude(model: ResourceModel, value: string, details: Detail[]) {
  const names = [...new Set(list(value))]
  for (const name of names) {
    if (!model.includes.has(name)) {
      const known = [...model.includes.keys()].join(', ') || 'none'
      details.push({
        field: 'include',
        rule: 'unknown_include',
        message: `Cannot include "${name}" (includes of ${model.key}: ${known})`,
      })
    }
  }
  return names
}

function parsePositive(name: string, value: string, max: number, details: Detail[]) {
  const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN
  if (!(number >= 1 && number <= max)) {
    details.push({
      field: name,
      rule: 'range',
      message: `${name} must be a whole number from 1 to ${max}`,
    })
    return 1
  }
  return number
}

function parseFilter(field: CompiledField, op: Operator, raw: string, key: string) {
  if (op === 'null') {
    if (raw !== 'true' && raw !== 'false') throw new Error('expected true or false')
    return raw === 'true'
  }
  if (op === 'in') {
    const values = raw.split(',')
    if (values.length > MAX_IN_VALUES)
      throw new Error(`expected at most ${MAX_IN_VALUES} comma-separated values`)
    return values.map((value) => field.parse(value))
  }
  if (op === 'contains') {
    if (!raw.length) throw new Error(`expected some text in ${key}`)
    return field.parse(raw)
  }
  return field.parse(raw)
}

/** Encodes a cursor: the sort it belongs to and the last row's sort values. */
export function encodeCursor(signature: string, values: Array<string | null>) {
  return Buffer.from(JSON.stringify({ s: signature, v: values })).toString('base64url')
}

function decodeCursor(value: string, signature: string, keys: number): Array<string | null> {
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
  } catch {
    throw new Error('is not a cursor this API returned')
  }
  const cursor = decoded as { s?: unknown; v?: unknown }
  if (
    !cursor ||
    typeof cursor !== 'object' ||
    !Array.isArray(cursor.v) ||
    cursor.v.length !== keys ||
    !cursor.v.every((item) => item === null || typeof item === 'string')
  ) {
    throw new Error('is not a cursor this API returned')
  }
  if (cursor.s !== signature)
    throw new Error(`belongs to another sort ("${cursor.s}"); keep the sort of the first page`)
  return cursor.v as Array<string | null>
}

/** Parses the query string of a list route; every problem becomes one ERR_VALIDATION detail. */
export function parseListQuery(
  model: ResourceModel,
  queryString: string | null | undefined,
  custom: ResourceCustomFields,
  principal: ResourcePrincipal
): ListQuery {
  const details: Detail[] = []
  const params = readParams(queryString, details)
  const filters: Filter[] = []
  for (const [key, raw] of params) {
    const match = FILTER_KEY.exec(key)
    if (!match) {
      if (!LIST_KEYS.has(key))
        details.push({ field: key, rule: 'unknown_parameter', message: `Unknown parameter ${key}` })
      continue
    }
    const [, name, op = 'eq'] = match
    const found = findField(model, custom, name, principal)
    if (!found.field) {
      details.push({ field: key, rule: found.problem!, message: found.message! })
      continue
    }
    if (
      !(OPERATORS as readonly string[]).includes(op) ||
      !found.field.operators.has(op as Operator)
    ) {
      details.push({
        field: key,
        rule: 'operator',
        message: `Operator "${op}" does not apply to ${name}; use one of ${[...found.field.operators].join(', ')}`,
      })
      continue
    }
    try {
      filters.push({
        field: found.field,
        op: op as Operator,
        value: parseFilter(found.field, op as Operator, raw, key),
      })
    } catch (error) {
      details.push({ field: key, rule: 'value', message: `${key} ${(error as Error).message}` })
    }
  }

  let sort = model.defaultSort
  const sortParam = params.get('sort')
  if (sortParam !== undefined) {
    sort = []
    for (const item of list(sortParam)) {
      const name = item.replace(/^-/, '')
      const found = findField(model, custom, name, principal)
      if (!found.field)
        details.push({ field: 'sort', rule: found.problem!, message: found.message! })
      else if (!found.field.sortable)
        details.push({ field: 'sort', rule: 'sortable', message: `Cannot sort on "${name}"` })
      else sort.push({ field: found.field, desc: item.startsWith('-') })
    }
    if (!sort.length && !details.length)
      details.push({ field: 'sort', rule: 'required', message: 'sort names no field' })
  }
  const idIndex = sort.findIndex((key) => key.field.name === 'id')
  if (idIndex >= 0) sort = sort.slice(0, idIndex + 1)
  else sort = [...sort, { field: model.fields.get('id')!, desc: false }]
  const sortSignature = sort.map((key) => `${key.desc ? '-' : ''}${key.field.name}`).join(',')

  const perPage = params.has('per_page')
    ? parsePositive('per_page', params.get('per_page')!, MAX_PER_PAGE, details)
    : DEFAULT_PER_PAGE
  const cursorParam = params.get('cursor')
  let after: Array<string | null> | null = null
  if (cursorParam !== undefined && params.has('page'))
    details.push({ field: 'cursor', rule: 'exclusive', message: 'Use page or cursor, not both' })
  if (cursorParam) {
    try {
      after = decodeCursor(cursorParam, sortSignature, sort.length)
    } catch (error) {
      details.push({
        field: 'cursor',
        rule: 'cursor',
        message: `cursor ${(error as Error).message}`,
      })
    }
  }
  const page = params.has('page')
    ? parsePositive('page', params.get('page')!, 1_000_000, details)
    : 1

  const fields = params.has('fields') ? parseFields(model, params.get('fields')!, details) : null
  const include = params.has('include') ? parseInclude(model, params.get('include')!, details) : []
  let search: string | null = null
  if (params.has('search')) {
    search = params.get('search')!.trim()
    if (!model.searchFields.length)
      details.push({
        field: 'search',
        rule: 'search',
        message: `${model.key} has no searchable fields`,
      })
    else if (!search || search.length > 200)
      details.push({
        field: 'search',
        rule: 'length',
        message: 'search must be 1 to 200 characters',
      })
  }
  if (details.length) fail(details)
  return {
    filters,
    sort,
    sortSignature,
    mode: cursorParam === undefined ? 'page' : 'cursor',
    page,
    perPage,
    after,
    fields,
    include,
    search,
  }
}

/** Parses the query string of a detail route (`fields`, `include`). */
export function parseShowQuery(
  model: ResourceModel,
  queryString: string | null | undefined
): ShowQuery {
  const details: Detail[] = []
  const params = readParams(queryString, details)
  for (const key of params.keys())
    if (!SHOW_KEYS.has(key))
      details.push({ field: key, rule: 'unknown_parameter', message: `Unknown parameter ${key}` })
  const fields = params.has('fields') ? parseFields(model, params.get('fields')!, details) : null
  const include = params.has('include') ? parseInclude(model, params.get('include')!, details) : []
  if (details.length) fail(details)
  return { fields, include }
}

/* Reading rows */

/** What a query selects and how a row becomes the record a caller sees. */
export type Projection = {
  select: string
  /** Output keys in order, masked or not. */
  emit: Array<{ name: string; mask: boolean }>
  /** Rows come back exactly as callers see them (nothing masked, nothing read only for includes). */
  exact: boolean
}

/**
 * The columns to read and show: every field (or those of `fields=`), without
 * the sensitive ones the principal may not see (masked ones are shown as
 * `***` without being read), plus the references `include` needs.
 */
export function projectionOf(
  model: ResourceModel,
  principal: ResourcePrincipal,
  fields: Set<string> | null,
  include: string[] = []
): Projection {
  const select: string[] = []
  const emit: Projection['emit'] = []
  const wanted = (name: string) => name === 'id' || !fields || fields.has(name)
  const add = (field: CompiledField) => {
    if (!wanted(field.name)) return
    const visibility = visibilityOf(field, principal)
    if (visibility === 'omit') return
    if (visibility === 'value') select.push(field.select!)
    emit.push({ name: field.name, mask: visibility === 'mask' })
  }
  add(model.fields.get('id')!)
  for (const field of model.declared) add(field)
  if (model.customFields && wanted('custom')) {
    select.push('t."custom"')
    emit.push({ name: 'custom', mask: false })
  }
  add(model.fields.get('created_at')!)
  add(model.fields.get('updated_at')!)
  let exact = emit.every((item) => !item.mask)
  for (const name of include) {
    const { field } = model.includes.get(name)!
    if (!emit.some((item) => item.name === field.name && !item.mask)) {
      select.push(field.select!)
      exact = false
    }
  }
  return { select: select.join(', '), emit, exact }
}

export function present(row: Record<string, unknown>, projection: Projection) {
  const record: Record<string, unknown> = {}
  for (const { name, mask } of projection.emit) record[name] = mask ? MASK : row[name]
  return record
}

/**
 * The records of `rows`. When the projection is exact the rows are already
 * what callers see, in order: they are kept (without the `hidden` helper
 * columns) rather than copied, which spares a list one object per row.
 */
export function presentRows(
  rows: Array<Record<string, unknown>>,
  projection: Projection,
  hidden: readonly string[]
) {
  if (!projection.exact) return rows.map((row) => present(row, projection))
  if (hidden.length) for (const row of rows) for (const key of hidden) delete row[key]
  return rows
}

function condition(filter: Filter, parts: SqlParts) {
  const { field, op, value } = filter
  const compare = (sqlOp: string) => parts.add(`${field.expr} ${sqlOp} ${field.param}`, value)
  switch (op) {
    case 'eq':
      return compare('=')
    case 'ne':
      return parts.add(`${field.expr} IS DISTINCT FROM ${field.param}`, value)
    case 'lt':
      return compare('<')
    case 'lte':
      return compare('<=')
    case 'gt':
      return compare('>')
    case 'gte':
      return compare('>=')
    case 'in': {
      const values = value as unknown[]
      return parts.add(`${field.expr} IN (${values.map(() => field.param).join(', ')})`, ...values)
    }
    case 'contains':
      return parts.add(`${field.textExpr} ILIKE ?`, `%${escapeLike(String(value))}%`)
    case 'null':
      return parts.add(`${field.expr} IS ${value ? '' : 'NOT '}NULL`)
  }
}

/** Keyset condition: rows strictly after `after` in the order of `sort` (NULLS LAST ascending, FIRST descending). */
function keyset(sort: SortKey[], after: Array<string | null>, parts: SqlParts) {
  const alternatives: string[] = []
  const bindings: unknown[] = []
  const equalities: string[] = []
  const equalityBindings: unknown[] = []
  sort.forEach(({ field, desc }, index) => {
    const value = after[index]
    const cast = `CAST(? AS ${field.cast})`
    let beyond: string | null
    let beyondBindings: unknown[] = []
    if (value === null) beyond = desc ? `${field.expr} IS NOT NULL` : null
    else {
      beyond = desc
        ? `${field.expr} < ${cast}`
        : `(${field.expr} > ${cast} OR ${field.expr} IS NULL)`
      beyondBindings = [value]
    }
    if (beyond) {
      alternatives.push(`(${[...equalities, beyond].join(' AND ')})`)
      bindings.push(...equalityBindings, ...beyondBindings)
    }
    if (value === null) equalities.push(`${field.expr} IS NULL`)
    else {
      equalities.push(`${field.expr} = ${cast}`)
      equalityBindings.push(value)
    }
  })
  parts.add(alternatives.length ? `(${alternatives.join(' OR ')})` : 'FALSE', ...bindings)
}

/** `"schema"."table" AS t` */
export function tableOf(model: ResourceModel, schema: string) {
  return `${ident(schema)}.${ident(model.table)} AS t`
}

/** The WHERE clause (with its bindings) of filters, search, row rules and an optional keyset. */
export function whereOf(
  model: ResourceModel,
  query: Pick<ListQuery, 'filters' | 'search'> & Partial<Pick<ListQuery, 'sort' | 'after'>>,
  rows: RowCondition,
  match: MatchMode = 'words'
) {
  const parts = new SqlParts()
  for (const filter of query.filters) condition(filter, parts)
  if (query.search) {
    const matched = matchCondition(model, query.search, match)
    parts.add(matched.sql, ...matched.bindings)
  }
  if (rows) parts.add(rows.sql, ...rows.bindings)
  if (query.after && query.sort) keyset(query.sort, query.after, parts)
  return { sql: parts.empty ? '' : ` WHERE ${parts.join(' AND ')}`, bindings: parts.bindings }
}

export const TOTAL = '__total'
export const sortKeyAlias = (index: number) => `__k${index}`

/**
 * The one statement of a list: the page of rows, with the total over all
 * matching rows (`count(*) OVER ()`) in page mode, or one extra row and the
 * sort values as text (for the next cursor) in cursor mode.
 */
export function listStatement(
  model: ResourceModel,
  query: ListQuery,
  projection: Projection,
  schema: string,
  rows: RowCondition
) {
  const select = [projection.select]
  if (query.mode === 'page') select.push(`count(*) OVER () AS ${TOTAL}`)
  else
    query.sort.forEach(({ field }, index) =>
      select.push(`(${field.expr})::text AS ${sortKeyAlias(index)}`)
    )
  const where = whereOf(model, query, rows)
  const order = query.sort
    .map(({ field, desc }) => `${field.expr}${desc ? ' DESC' : ''}`)
    .join(', ')
  const limit = query.mode === 'page' ? query.perPage : query.perPage + 1
  const offset = query.mode === 'page' ? (query.page - 1) * query.perPage : 0
  return {
    sql: `SELECT ${select.join(', ')} FROM ${tableOf(model, schema)}${where.sql} ORDER BY ${order} LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`,
    bindings: where.bindings,
  }
}
