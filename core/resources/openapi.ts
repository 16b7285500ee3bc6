import app from '@adonisjs/core/services/app'
import { locationHeader, type JsonSchema } from '../openapi/schemas.js'
import type { PluginManifest } from '../plugins/define_plugin.js'
import { ResourceCatalog, resourceCatalogOf } from './catalog.js'
import {
  CUSTOM_FIELD_TYPES,
  customFieldsByResource,
  type CustomFieldDefinition,
} from './custom_fields.js'
import type { FieldDefinition } from './define_resource.js'
import { customField, type CompiledField } from './fields.js'
import type { ResourceModel } from './model.js'
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from './query.js'
import { tenantContext } from '../tenancy/context.js'
import type { Tenant } from '../tenancy/types.js'

/*
 * OpenAPI 3.1 of the resource routes: paths and component schemas for every
 * resource of the given plugins, with a tenant's custom fields when given.
 * The document served at /api/v1/openapi.json merges this in.
 */

type Schema = Record<string, unknown>

export type ResourceOpenApi = {
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, Schema> }
}

const pascal = (value: string) =>
  value
    .split(/[-_.]/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('')

/** Component name of a resource: `library-lite.books` → `LibraryLiteBooks`. */
export function schemaName(model: Pick<ResourceModel, 'key'>) {
  return pascal(model.key)
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

const ID = {
  type: 'string',
  pattern: '^[1-9][0-9]*$',
  description: 'A record id (64-bit, as a string)',
}

function numberOption(definition: FieldDefinition, key: string) {
  const value = definition.options[key]
  return typeof value === 'number' ? value : undefined
}

/** JSON Schema of one field's value, as written (`input`) or as read. */
function valueSchema(definition: FieldDefinition, input: boolean): Schema {
  const min = numberOption(definition, 'min')
  const max = numberOption(definition, 'max')
  const bounds = (lower: string, upper: string, fallbackMax?: number) => ({
    ...(min !== undefined ? { [lower]: min } : {}),
    ...(max !== undefined || fallbackMax !== undefined ? { [upper]: max ?? fallbackMax } : {}),
  })
  switch (definition.type) {
    case 'string':
    case 'text': {
      const pattern = definition.options.pattern
      return {
        type: 'string',
        ...bounds('minLength', 'maxLength', definition.type === 'string' ? 255 : undefined),
        ...(pattern instanceof RegExp ? { pattern: pattern.source } : {}),
      }
    }
    case 'file':
      return { type: 'string', maxLength: 500, description: 'A storage key' }
    case 'integer':
      return { type: 'integer', ...bounds('minimum', 'maximum') }
    case 'decimal':
      return input
        ? { type: 'number', ...bounds('minimum', 'maximum') }
        : {
            type: 'string',
            pattern: '^-?[0-9]+(\\.[0-9]+)?$',
            description: 'A decimal, as a string',
          }
    case 'boolean':
      return { type: 'boolean' }
    case 'date':
      return { type: 'string', format: 'date' }
    case 'datetime':
      return { type: 'string', format: 'date-time' }
    case 'enum':
      return { type: 'string', enum: [...(definition.values ?? [])] }
    case 'json':
      return {}
    case 'reference':
      if (definition.target === 'core.users') return { type: 'string', format: 'uuid' }
      return input ? { oneOf: [ID, { type: 'integer', minimum: 1 }] } : ID
  }
}

function nullable(schema: Schema): Schema {
  // An enum lists null too: JSON Schema checks `enum` besides `type`, so null would fail it.
  if (Array.isArray(schema.enum))
    return { ...schema, type: [schema.type, 'null'], enum: [...schema.enum, null] }
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] }
  if (!Object.keys(schema).length) return schema
  return { oneOf: [schema, { type: 'null' }] }
}

function describe(field: CompiledField, schema: Schema): Schema {
  const notes = [field.definition.options.description]
  const sensitive = field.sensitive
  if (sensitive)
    notes.push(
      `Sensitive: without ${sensitive.permission} it is ${sensitive.mode === 'mask' ? 'shown as "***"' : 'left out'}.`
    )
  const text = notes.filter(Boolean).join(' ')
  return text ? { ...schema, description: text } : schema
}

function customObject(custom: CustomFieldDefinition[], input: 'create' | 'update' | false): Schema {
  const properties: Record<string, Schema> = {}
  for (const field of custom) {
    const definition: FieldDefinition = {
      type: field.type,
      options: {
        ...(field.min !== null ? { min: field.min } : {}),
        ...(field.max !== null ? { max: field.max } : {}),
      },
      values: field.values ?? undefined,
    }
    const schema = valueSchema(definition, input !== false)
    const described = field.description ? { ...schema, description: field.description } : schema
    properties[field.name] = field.required ? described : nullable(described)
  }
  const required = input === 'create' ? custom.filter((f) => f.required).map((f) => f.name) : []
  return {
    type: 'object',
    description: 'Custom fields this tenant added to the resource',
    properties,
    additionalProperties: false,
    ...(required.length ? { required } : {}),
  }
}

function recordSchema(model: ResourceModel, custom: CustomFieldDefinition[]): Schema {
  const properties: Record<string, Schema> = { id: { ...ID, readOnly: true } }
  for (const field of model.declared) {
    const schema = valueSchema(field.definition, false)
    properties[field.name] = describe(
      field,
      field.definition.options.required ? schema : nullable(schema)
    )
  }
  if (model.customFields) properties.custom = customObject(custom, false)
  properties.created_at = { type: 'string', format: 'date-time', readOnly: true }
  properties.updated_at = { type: 'string', format: 'date-time', readOnly: true }
  for (const include of model.references)
    properties[include.as] = {
      description: `With include=${include.as}: the ${include.target} record ${include.field.name} points to`,
      oneOf: [{ type: 'object' }, { type: 'null' }],
    }
  return { type: 'object', description: model.description, properties, required: ['id'] }
}

function bodySchema(
  model: ResourceModel,
  custom: CustomFieldDefinition[],
  action: 'create' | 'update'
): Schema {
  const properties: Record<string, Schema> = {}
  const required: string[] = []
  for (const field of model.declared) {
    if (!field.writable) continue
    const { options } = field.definition
    const schema = valueSchema(field.definition, true)
    properties[field.name] = describe(field, options.required ? schema : nullable(schema))
    if (options.default !== undefined) properties[field.name].default = options.default
    if (action === 'create' && options.required && options.default === undefined)
      required.push(field.name)
  }
  if (model.customFields) properties.custom = customObject(custom, action)
  return {
    type: 'object',
    properties,
    additionalProperties: false,
    ...(required.length ? { required } : {}),
  }
}

function filterSchema(model: ResourceModel, custom: CustomFieldDefinition[]): Schema {
  const fields = [
    ...model.fields.values(),
    ...custom.map((field) =>
      customField(field.name, { type: field.type, options: {}, values: field.values ?? undefined })
    ),
  ]
  const properties: Record<string, Schema> = {}
  for (const field of fields) {
    const operators: Record<string, Schema> = {}
    for (const op of field.operators)
      operators[op] =
        op === 'null'
          ? { type: 'boolean' }
          : op === 'in'
            ? { type: 'string', description: 'Comma-separated values' }
            : { type: 'string' }
    properties[field.name] = {
      type: 'object',
      properties: operators,
      additionalProperties: false,
      ...(field.sensitive ? { description: `Needs ${field.sensitive.permission}` } : {}),
    }
  }
  return { type: 'object', properties, additionalProperties: false }
}

const ERRORS = {
  400: 'ERR_VALIDATION: invalid body or query (error.details lists each problem)',
  401: 'ERR_AUTH_REQUIRED or an invalid token',
  403: 'ERR_FORBIDDEN: the permission named in the message is missing',
  404: 'ERR_PLUGIN_DISABLED (the module is off for this tenant) or ERR_RECORD_NOT_FOUND',
  409: 'ERR_CONFLICT (a unique value is taken) or ERR_RECORD_IN_USE (still referenced)',
} as const

function errors(...statuses: Array<keyof typeof ERRORS>) {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: ERRORS[status],
        content: { 'application/json': { schema: ref('ResourceError') } },
      },
    ])
  )
}

function success(description: string, data: Schema, pagination = false) {
  return {
    description,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['success', 'data', 'meta', 'error'],
          properties: {
            success: { const: true },
            data,
            meta: {
              type: 'object',
              properties: {
                timestamp: { type: 'string', format: 'date-time' },
                request_id: { type: 'string' },
                ...(pagination ? { pagination: ref('ResourcePagination') } : {}),
              },
            },
            error: { type: 'null' },
          },
        },
      },
    },
  }
}

const query = (name: string, schema: Schema, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
})

function readParameters(model: ResourceModel) {
  const includes = [...model.includes.keys()]
  return [
    query(
      'fields',
      { type: 'string' },
      'Comma-separated fields to return (sparse fieldset); id always comes back'
    ),
    ...(includes.length
      ? [
          query(
            'include',
            { type: 'string' },
            `Comma-separated references to embed: ${includes.join(', ')}`
          ),
        ]
      : []),
  ]
}

function listParameters(model: ResourceModel, custom: CustomFieldDefinition[]) {
  return [
    {
      name: 'filter',
      in: 'query',
      required: false,
      style: 'deepObject',
      explode: true,
      schema: filterSchema(model, custom),
      description:
        'filter[field][op]=value; op is eq (default), ne, lt, lte, gt, gte, in (comma list), contains (case-insensitive text), null (true/false). Custom fields as custom.<name>.',
    },
    query(
      'sort',
      { type: 'string' },
      `Comma-separated fields, "-" for descending (default ${model.defaultSort.map((key) => `${key.desc ? '-' : ''}${key.field.name}`).join(',')}); id breaks ties`
    ),
    query(
      'page',
      { type: 'integer', minimum: 1, default: 1 },
      'Page pagination: the page (with the total in meta.pagination)'
    ),
    query(
      'per_page',
      { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE },
      'Records per page'
    ),
    query(
      'cursor',
      { type: 'string' },
      'Cursor pagination: empty for the first page, then meta.pagination.next_cursor'
    ),
    ...(model.searchFields.length
      ? [
          query(
            'search',
            { type: 'string', maxLength: 200 },
            `Full-text search over ${model.searchFields.map((field) => field.name).join(', ')}`
          ),
        ]
      : []),
    ...readParameters(model),
  ]
}

/**
 * OpenAPI 3.1 `paths` and `components.schemas` of every resource of
 * `plugins` (manifests, or their compiled catalog), and of the custom-fields
 * admin routes. `customFields` adds a tenant's custom fields, by
 * `<plugin>.<resource>`.
 */
export function resourceOpenApi(
  plugins: ResourceCatalog | Array<PluginManifest | { manifest: PluginManifest }>,
  customFields: Record<string, CustomFieldDefinition[]> = {}
): ResourceOpenApi {
  const catalog =
    plugins instanceof ResourceCatalog
      ? plugins
      : new ResourceCatalog(
          plugins.map((plugin) => ('manifest' in plugin ? plugin.manifest : plugin))
        )
  const paths: ResourceOpenApi['paths'] = {}
  const schemas: Record<string, Schema> = {
    ResourcePagination: {
      type: 'object',
      properties: {
        page: { type: 'integer' },
        per_page: { type: 'integer' },
        total: { type: 'integer' },
        last_page: { type: 'integer' },
        next_cursor: { type: ['string', 'null'] },
      },
    },
    ResourceError: {
      type: 'object',
      required: ['success', 'data', 'meta', 'error'],
      properties: {
        success: { const: false },
        data: { type: 'null' },
        meta: { type: 'object' },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            hint: { type: 'string' },
            details: {},
          },
        },
      },
    },
  }

  for (const model of catalog.all()) {
    const custom = model.customFields ? (customFields[model.key] ?? []) : []
    const name = schemaName(model)
    schemas[name] = recordSchema(model, custom)
    schemas[`${name}Create`] = bodySchema(model, custom, 'create')
    schemas[`${name}Update`] = bodySchema(model, custom, 'update')

    const base = `/api/v1/${model.plugin}/${model.name}`
    const operation = (
      action: keyof ResourceModel['permissions'],
      summary: string,
      spec: Schema
    ) =>
      model.permissions[action] === false
        ? {}
        : {
            'operationId': `${model.key}.${action}`,
            'tags': [model.plugin],
            summary,
            'x-oryne-permission': model.permissions[action],
            ...spec,
          }
    const json = (schema: Schema) => ({
      required: true,
      content: { 'application/json': { schema } },
    })
    const idParameter = { name: 'id', in: 'path', required: true, schema: ID }
    const collection: Record<string, unknown> = {}
    const list = operation('list', `List ${model.key}`, {
      parameters: listParameters(model, custom),
      responses: {
        200: success('A page of records', { type: 'array', items: ref(name) }, true),
        ...errors(400, 401, 403, 404),
      },
    })
    if (Object.keys(list).length) collection.get = list
    const create = operation('create', `Create a ${model.key} record`, {
      requestBody: json(ref(`${name}Create`)),
      responses: {
        201: {
          ...success('The record created', ref(name)),
          ...(model.permissions.read === false
            ? {}
            : { headers: { Location: locationHeader(`${base}/{id}`) } }),
        },
        ...errors(400, 401, 403, 404, 409),
      },
    })
    if (Object.keys(create).length) collection.post = create
    const item: Record<string, unknown> = {}
    const read = operation('read', `Read a ${model.key} record`, {
      parameters: [idParameter, ...readParameters(model)],
      responses: { 200: success('The record', ref(name)), ...errors(400, 401, 403, 404) },
    })
    if (Object.keys(read).length) item.get = read
    const update = operation('update', `Change a ${model.key} record`, {
      parameters: [idParameter],
      requestBody: json(ref(`${name}Update`)),
      responses: {
        200: success('The record changed', ref(name)),
        ...errors(400, 401, 403, 404, 409),
      },
    })
    if (Object.keys(update).length) item.patch = update
    const remove = operation('delete', `Delete a ${model.key} record`, {
      parameters: [idParameter],
      responses: {
        200: success('Deleted', {
          type: 'object',
          properties: { id: ID, deleted: { const: true } },
        }),
        ...errors(401, 403, 404, 409),
      },
    })
    if (Object.keys(remove).length) item.delete = remove
    if (Object.keys(collection).length) paths[base] = collection
    if (Object.keys(item).length) paths[`${base}/{id}`] = item
  }
  Object.assign(paths, customFieldPaths())
  schemas.CustomField = CUSTOM_FIELD
  return { paths, components: { schemas } }
}

const CUSTOM_FIELD: Schema = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
    type: { type: 'string', enum: [...CUSTOM_FIELD_TYPES] },
    required: { type: 'boolean', default: false },
    min: { type: ['number', 'null'], description: 'Least value, or least length of text' },
    max: { type: ['number', 'null'], description: 'Greatest value, or greatest length of text' },
    values: { type: ['array', 'null'], items: { type: 'string' }, description: 'enum only' },
    description: { type: ['string', 'null'], maxLength: 500 },
  },
}

/** The tenant admin's custom-fields routes. */
function customFieldPaths() {
  const base = '/api/v1/admin/resources/{plugin}/{resource}/fields'
  const parameters = ['plugin', 'resource'].map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }))
  const common = { 'tags': ['Admin: resources'], 'x-oryne-permission': 'core.custom_fields.manage' }
  return {
    [base]: {
      get: {
        ...common,
        operationId: 'core.custom_fields.list',
        summary: "A resource's custom fields in this tenant",
        parameters,
        responses: {
          200: success('The custom fields', { type: 'array', items: ref('CustomField') }),
          ...errors(401, 403, 404),
        },
      },
      post: {
        ...common,
        operationId: 'core.custom_fields.create',
        summary: "Add a custom field to a resource (no DDL: values live in the row's custom jsonb)",
        parameters,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('CustomField') } },
        },
        responses: {
          201: success('The custom field', ref('CustomField')),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    [`${base}/{name}`]: {
      delete: {
        ...common,
        operationId: 'core.custom_fields.delete',
        summary: 'Remove a custom field and its values',
        parameters: [
          ...parameters,
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: {
          200: success('Removed', {
            type: 'object',
            properties: { name: { type: 'string' }, deleted: { const: true } },
          }),
          ...errors(401, 403, 404),
        },
      },
    },
  }
}

/** Paths (`/api/v1/...` keyed, OpenAPI path items) and component schemas to merge into the document. */
export type OpenApiContribution = {
  paths?: Record<string, Record<string, unknown>>
  schemas?: Record<string, JsonSchema>
}

/**
 * The resource engine's part of GET /api/v1/openapi.json: each resource's
 * record schema, filters, sorting and pagination, and for a tenant its custom
 * fields and collections (`tenant` is null for the generic document). The document merges it
 * over the operations derived from the router; its operations win for the
 * same path and method.
 */
export async function resourceContribution(tenant: Tenant | null): Promise<OpenApiContribution> {
  const catalog = resourceCatalogOf(await app.container.make('oryne.plugins'))
  const custom = tenant ? await tenantContext.run(tenant, () => customFieldsByResource()) : {}
  const { paths, components } = resourceOpenApi(catalog, custom)
  if (tenant) {
    // Resources a tenant defines at run time: its collections (core/collections).
    const collections = await app.container.make('oryne.collections')
    const own = await tenantContext.run(tenant, () => collections.openApi())
    Object.assign(paths, own.paths)
    Object.assign(components.schemas, own.components.schemas)
  }
  return { paths, schemas: components.schemas }
}
