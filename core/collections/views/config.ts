import type { CompiledField } from '../../resources/fields.js'
import type { ResourceModel } from '../../resources/model.js'
import type { Detail } from '../../resources/query.js'
import { listQueryString } from '../../reports/list_query.js'
import { E_VIEW_INVALID } from './errors.js'
import type { ViewConfig, ViewKind } from './validators.js'

/*
 * A view's settings checked against the fields its collection has now: when
 * it is saved, and again when it is read (a field may have been renamed or
 * removed since), so a stale view answers a clear 422 rather than a 500.
 */

const KEYS: Record<ViewKind, ReadonlyArray<keyof ViewConfig>> = {
  list: ['fields', 'sort', 'filters'],
  board: ['fields', 'sort', 'filters', 'group_by'],
  calendar: ['fields', 'filters', 'date_field', 'title_field'],
  gallery: ['fields', 'sort', 'filters', 'title_field', 'image_field'],
}

const FILTER_KEY = /^filter\[([^\][]+)\](?:\[([^\][]*)\])?$/
const DATE_TYPES = new Set(['date', 'datetime', 'timestamp'])

/** The settings a view of `kind` falls back on: the collection's title, its first file field. */
export type ResolvedView = ViewConfig & { title_field?: string; image_field?: string }

function problemsOf(model: ResourceModel, kind: ViewKind, config: ViewConfig): Detail[] {
  const details: Detail[] = []
  const problem = (field: string, rule: string, message: string) =>
    details.push({ field: `config.${field}`, rule, message })
  const known = (key: keyof ViewConfig, name: string | undefined): CompiledField | undefined => {
    if (name === undefined) return undefined
    const field = model.fields.get(name)
    if (!field) problem(key, 'unknown_field', `${model.key} has no field "${name}"`)
    return field
  }

  for (const key of Object.keys(config) as Array<keyof ViewConfig>)
    if (config[key] !== undefined && !KEYS[kind].includes(key))
      problem(key, 'not_for_kind', `A ${kind} view has no ${key} setting`)

  config.fields?.forEach((name, index) => {
    if (!model.fields.has(name))
      details.push({
        field: `config.fields.${index}`,
        rule: 'unknown_field',
        message: `${model.key} has no field "${name}"`,
      })
  })
  if (config.fields && new Set(config.fields).size !== config.fields.length)
    problem('fields', 'distinct', 'A field is named more than once')

  for (const item of (config.sort ?? '').split(',').filter(Boolean)) {
    const field = known('sort', item.trim().replace(/^-/, ''))
    if (field && !field.sortable) problem('sort', 'sortable', `Cannot sort on "${field.name}"`)
  }

  const filters = new URLSearchParams(listQueryString({ filters: config.filters }))
  for (const [key, raw] of filters) {
    const [, name, op = 'eq'] = FILTER_KEY.exec(key) ?? []
    const field = model.fields.get(name ?? '')
    if (!field) {
      problem('filters', 'unknown_field', `${model.key} has no field "${name ?? key}"`)
      continue
    }
    if (!field.operators.has(op as never)) {
      problem(
        'filters',
        'operator',
        `Operator "${op}" does not apply to ${name}; use one of ${[...field.operators].join(', ')}`
      )
      continue
    }
    try {
      if (op === 'null') {
        if (raw !== 'true' && raw !== 'false') throw new Error('expected true or false')
      } else if (op === 'in') raw.split(',').forEach((value) => field.parse(value))
      else field.parse(raw)
    } catch (error) {
      problem('filters', 'value', `${name}: ${(error as Error).message}`)
    }
  }

  if (kind === 'board') {
    if (!config.group_by)
      problem('group_by', 'required', 'A board needs the enum field to group by')
    const field = known('group_by', config.group_by)
    if (field && field.type !== 'enum')
      problem(
        'group_by',
        'enum_field',
        `A board groups by an enum field; "${field.name}" is a ${field.type}`
      )
  }
  if (kind === 'calendar') {
    if (!config.date_field)
      problem(
        'date_field',
        'required',
        'A calendar needs the date or datetime field placing records'
      )
    const field = known('date_field', config.date_field)
    if (field && !DATE_TYPES.has(field.type))
      problem(
        'date_field',
        'date_field',
        `A calendar places records by a date or datetime field; "${field.name}" is a ${field.type}`
      )
  }
  if (kind === 'gallery') {
    const field = known('image_field', config.image_field)
    if (field && field.type !== 'file')
      problem(
        'image_field',
        'file_field',
        `A gallery's picture is a file field; "${field.name}" is a ${field.type}`
      )
  }
  if (kind === 'calendar' || kind === 'gallery') known('title_field', config.title_field)
  return details
}

/** The view's settings with their defaults, or ERR_VIEW_INVALID naming every problem. */
export function checkView(
  collection: string,
  model: ResourceModel,
  kind: ViewKind,
  config: ViewConfig
): ResolvedView {
  const details = problemsOf(model, kind, config)
  if (details.length) throw new E_VIEW_INVALID([collection], { details })
  const resolved: ResolvedView = { ...config }
  if ((kind === 'calendar' || kind === 'gallery') && !resolved.title_field && model.title)
    resolved.title_field = model.title.name
  if (kind === 'gallery' && !resolved.image_field)
    resolved.image_field = model.declared.find((field) => field.type === 'file')?.name
  return resolved
}
