import { visibilityOf } from '../resources/access.js'
import type { CustomFieldDefinition } from '../resources/custom_fields.js'
import type { ResourcePrincipal } from '../resources/define_resource.js'
import type { CompiledField } from '../resources/fields.js'
import { USERS_TARGET, type ResourceModel } from '../resources/model.js'
import type { ResourceCatalog } from '../resources/catalog.js'
import type { JsonSchema } from '../openapi/schemas.js'

/*
 * A resource as the web app's generated views (docs/web.md, "Generated views")
 * need it, for one signed-in user: what it holds, what they may do with it,
 * and how each field is listed, filtered, sorted and edited. Everything comes
 * from the declaration the API is built from, so the views and the API agree.
 */

export type FieldView = {
  name: string
  type: string
  required: boolean
  read_only: boolean
  unique: boolean
  builtin: boolean
  /** The label a tenant admin gave a collection's field; null for a plugin's (its catalogue names it). */
  label: string | null
  description: string | null
  default: string | number | boolean | null
  /** Numbers: smallest and largest value. */
  min: number | null
  max: number | null
  /** Text: length bounds and the declared pattern (a JavaScript regular expression's source). */
  min_length: number | null
  max_length: number | null
  pattern: string | null
  values: string[] | null
  reference: ReferenceView | null
  /** Declared sensitive: `mask` or `omit` for those without the permission; `visible` says which this user is. */
  sensitive: { mode: 'mask' | 'omit'; visible: boolean } | null
  /** Filter operators the list accepts from this user (none on a field hidden from them). */
  filters: string[]
  sortable: boolean
}

export type ReferenceView = {
  /** `<plugin>.<resource>` or `core.users`. */
  target: string
  /** Name in `include=` and key of the embedded record. */
  include: string
  /** Where a picker finds candidates, its search parameter, and the field naming a candidate. */
  list: string
  search: string | null
  label: string
}

export type ResourceView = {
  plugin: string
  name: string
  key: string
  /** A collection's label (a plugin's resource is named by its catalogue): null otherwise. */
  title: string | null
  description: string | null
  path: string
  label_field: string
  default_sort: string
  searchable: boolean
  actions: { create: boolean; update: boolean; delete: boolean }
  fields: FieldView[]
  custom_fields: FieldView[]
}

const LABEL_NAMES = ['name', 'title', 'label', 'code']

/**
 * The field that names a record: a collection's declared title, else
 * `name`/`title`/…, else the first required text field, else `id`.
 */
export function labelFieldOf(model: ResourceModel) {
  if (model.plugin === 'collections' && model.title && !model.title.sensitive)
    return model.title.name
  const text = model.declared.filter(
    (field) => (field.type === 'string' || field.type === 'text') && !field.sensitive
  )
  return (
    text.find((field) => LABEL_NAMES.includes(field.name))?.name ??
    text.find((field) => field.definition.options.required)?.name ??
    text[0]?.name ??
    'id'
  )
}

const number = (value: unknown) => (typeof value === 'number' ? value : null)

function referenceOf(field: CompiledField, model: ResourceModel, catalog: ResourceCatalog) {
  const include = model.references.find((reference) => reference.field.name === field.name)
  if (!include) return null
  if (include.target === USERS_TARGET) {
    return {
      target: USERS_TARGET,
      include: include.as,
      list: '/api/v1/admin/users',
      search: 'q',
      label: 'name',
    }
  }
  const target = catalog.get(include.target)!
  return {
    target: include.target,
    include: include.as,
    list: `/api/v1/${target.plugin}/${target.name}`,
    search: target.searchFields.length ? 'search' : null,
    label: labelFieldOf(target),
  }
}

function fieldView(
  field: CompiledField,
  principal: ResourcePrincipal,
  extra: { model?: ResourceModel; catalog?: ResourceCatalog; builtin?: boolean } = {}
): FieldView {
  const { definition } = field
  const options = definition.options
  const textual = ['string', 'text', 'file'].includes(definition.type)
  const visible = visibilityOf(field, principal) === 'value'
  const pattern = options.pattern instanceof RegExp ? options.pattern.source : null
  const defaultMax = definition.type === 'string' ? 255 : definition.type === 'file' ? 500 : null
  return {
    name: field.name,
    type: definition.type,
    required: options.required === true,
    read_only: !field.writable,
    unique: options.unique === true,
    builtin: extra.builtin === true,
    label: typeof options.label === 'string' ? options.label : null,
    description: typeof options.description === 'string' ? options.description : null,
    default: options.default ?? null,
    min: textual ? null : number(options.min),
    max: textual ? null : number(options.max),
    min_length: textual ? number(options.min) : null,
    max_length: textual ? (number(options.max) ?? defaultMax) : null,
    pattern,
    values: definition.values ? [...definition.values] : null,
    reference:
      definition.type === 'reference' && extra.model && extra.catalog
        ? referenceOf(field, extra.model, extra.catalog)
        : null,
    sensitive: field.sensitive ? { mode: field.sensitive.mode, visible } : null,
    filters: visible ? [...field.operators] : [],
    sortable: visible && field.sortable,
  }
}

/** The view of `model` for `principal`, with the tenant's custom fields of it. */
export function resourceView(
  model: ResourceModel,
  principal: ResourcePrincipal,
  catalog: ResourceCatalog,
  custom: { list: CustomFieldDefinition[]; fields: Map<string, CompiledField> },
  title: string | null = null
): ResourceView {
  const may = (action: 'create' | 'update' | 'delete') => {
    const permission = model.permissions[action]
    return permission !== false && principal.can(permission)
  }
  const builtin = ['id', 'created_at', 'updated_at'].map((name) =>
    fieldView(model.fields.get(name)!, principal, { builtin: true })
  )
  return {
    plugin: model.plugin,
    name: model.name,
    key: model.key,
    title,
    description: model.description ?? null,
    path: `/api/v1/${model.plugin}/${model.name}`,
    label_field: labelFieldOf(model),
    default_sort: model.defaultSort
      .map((key) => `${key.desc ? '-' : ''}${key.field.name}`)
      .join(','),
    searchable: model.searchFields.length > 0,
    actions: { create: may('create'), update: may('update'), delete: may('delete') },
    fields: [
      ...model.declared.map((field) => fieldView(field, principal, { model, catalog })),
      ...builtin,
    ],
    custom_fields: custom.list.map((definition) =>
      fieldView(custom.fields.get(`custom.${definition.name}`)!, principal)
    ),
  }
}

/** Whether `principal` may list `model` (the views show only what its list route would answer). */
export function canList(model: ResourceModel, principal: ResourcePrincipal) {
  return model.permissions.list !== false && principal.can(model.permissions.list)
}

const nullable = (type: string) => ({ type: [type, 'null'] })

const fieldSchema: JsonSchema = {
  type: 'object',
  required: ['name', 'type', 'required', 'read_only', 'filters', 'sortable', 'sensitive'],
  properties: {
    name: { type: 'string' },
    type: {
      type: 'string',
      enum: [
        'string',
        'text',
        'integer',
        'decimal',
        'boolean',
        'date',
        'datetime',
        'enum',
        'json',
        'reference',
        'file',
      ],
    },
    required: { type: 'boolean' },
    read_only: { type: 'boolean' },
    unique: { type: 'boolean' },
    builtin: { type: 'boolean' },
    label: nullable('string'),
    description: nullable('string'),
    default: { type: ['string', 'number', 'boolean', 'null'] },
    min: nullable('number'),
    max: nullable('number'),
    min_length: nullable('integer'),
    max_length: nullable('integer'),
    pattern: nullable('string'),
    values: { type: ['array', 'null'], items: { type: 'string' } },
    reference: {
      type: ['object', 'null'],
      required: ['target', 'include', 'list', 'search', 'label'],
      properties: {
        target: { type: 'string' },
        include: { type: 'string' },
        list: { type: 'string' },
        search: nullable('string'),
        label: { type: 'string' },
      },
    },
    sensitive: {
      type: ['object', 'null'],
      required: ['mode', 'visible'],
      properties: {
        mode: { type: 'string', enum: ['mask', 'omit'] },
        visible: { type: 'boolean' },
      },
    },
    filters: { type: 'array', items: { type: 'string' } },
    sortable: { type: 'boolean' },
  },
}

/** The answer of GET /api/v1/app/resources, for the OpenAPI document. */
export const resourceViewsSchema: JsonSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: [
      'plugin',
      'name',
      'key',
      'path',
      'label_field',
      'default_sort',
      'searchable',
      'actions',
      'fields',
      'custom_fields',
    ],
    properties: {
      plugin: { type: 'string' },
      name: { type: 'string' },
      key: { type: 'string' },
      title: nullable('string'),
      description: nullable('string'),
      path: { type: 'string' },
      label_field: { type: 'string' },
      default_sort: { type: 'string' },
      searchable: { type: 'boolean' },
      actions: {
        type: 'object',
        required: ['create', 'update', 'delete'],
        properties: {
          create: { type: 'boolean' },
          update: { type: 'boolean' },
          delete: { type: 'boolean' },
        },
      },
      fields: { type: 'array', items: fieldSchema },
      custom_fields: { type: 'array', items: fieldSchema },
    },
  },
}
