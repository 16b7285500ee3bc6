import vine from '@vinejs/vine'
import type {
  FieldDefinition,
  ResourceAction,
  ResourceDefinition,
  ResourceHooks,
  RowRule,
} from './define_resource.js'
import { bodySchema, columnField, type CompiledField } from './fields.js'

/*
 * A resource as the engine runs it, compiled once at boot from its
 * declaration: table, fields, validators per action, includes, permissions.
 */

/** The target of references to tenant users. */
export const USERS_TARGET = 'core.users'

/** Columns every resource table has besides its declared fields. */
export const BUILTIN_FIELDS = ['id', 'custom', 'created_at', 'updated_at'] as const

export type SortKey = { field: CompiledField; desc: boolean }

export type Include = {
  /** Name in `include=` and key of the embedded record. */
  as: string
  field: CompiledField
  /** `<plugin>.<resource>` or `core.users`. */
  target: string
}

export type ResourceModel = {
  plugin: string
  name: string
  /** `<plugin>.<resource>`: permission, audit and event prefix. */
  key: string
  table: string
  description?: string
  /** Declared fields, in declaration order. */
  declared: CompiledField[]
  /** Every field by API name: `id`, declared fields, `created_at`, `updated_at`. */
  fields: Map<string, CompiledField>
  permissions: Record<ResourceAction, string | false>
  includes: Map<string, Include>
  /** Reference fields with their resolved targets. */
  references: Include[]
  searchFields: CompiledField[]
  defaultSort: SortKey[]
  customFields: boolean
  rowRules: Record<string, RowRule>
  hooks: ResourceHooks
  validators: { create: BodyValidator; update: BodyValidator }
  /** The field naming a record to people (`title`, else a `name` field). */
  title?: CompiledField
  /** Personal data: whose rows (subject references), which values, and what erasure does. */
  personal: { subjects: Include[]; values: CompiledField[]; erase: 'redact' | 'delete' }
}

export type BodyValidator = { validate(data: unknown): Promise<Record<string, unknown>> }

const RESOURCE_NAME = /^[a-z][a-z0-9_-]*$/
const FIELD_NAME = /^[a-z][a-z0-9_]*$/
const TARGET = /^(?:[a-z][a-z0-9-]*\.)?[a-z][a-z0-9_-]*$/
const TYPES = new Set([
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
])

export function defaultTable(plugin: string, resource: string) {
  return `${plugin}_${resource}`.replaceAll('-', '_')
}

/** `<plugin>.<resource>` (or `core.users`) a reference field points to. */
export function referenceTarget(plugin: string, definition: FieldDefinition) {
  const target = definition.target ?? ''
  return target.includes('.') ? target : `${plugin}.${target}`
}

/** Name under which `include=` embeds a reference: `as`, else the field name without `_id`. */
export function includeName(fieldName: string, definition: FieldDefinition) {
  const as = definition.options.as
  return typeof as === 'string' ? as : fieldName.replace(/_id$/, '')
}

/**
 * Problems of one plugin's resource declarations, each naming the resource
 * and field; empty when every resource can be compiled. `knownTargets` are
 * the `<plugin>.<resource>` keys references may point to.
 */
export function resourceProblems(
  plugin: string,
  resources: unknown,
  knownTargets: Set<string>,
  dependencies: string[] = [],
  withSubject?: Set<string>
): string[] {
  if (resources === undefined) return []
  if (!Array.isArray(resources)) return ['resources: must be an array of defineResource(...)']
  const problems: string[] = []
  const names = new Set<string>()
  for (const resource of resources as ResourceDefinition[]) {
    const at = `resources.${resource?.name ?? '?'}`
    if (typeof resource?.name !== 'string' || !RESOURCE_NAME.test(resource.name)) {
      problems.push(`${at}: name must be snake_case (e.g. "books")`)
      continue
    }
    if (names.has(resource.name)) problems.push(`${at}: declared twice`)
    names.add(resource.name)
    if (!resource.fields || typeof resource.fields !== 'object') {
      problems.push(`${at}.fields: must be an object of field builders`)
      continue
    }
    const fieldNames = new Set(Object.keys(resource.fields))
    const includes = new Set<string>()
    for (const [name, definition] of Object.entries(resource.fields)) {
      const where = `${at}.fields.${name}`
      if (!FIELD_NAME.test(name)) problems.push(`${where}: name must be snake_case`)
      if ((BUILTIN_FIELDS as readonly string[]).includes(name))
        problems.push(`${where}: "${name}" is a column every resource has`)
      if (!definition || !TYPES.has(definition.type)) {
        problems.push(`${where}: not a field (use field.string(), field.integer(), ...)`)
        continue
      }
      if (definition.type === 'enum' && !definition.values?.length)
        problems.push(`${where}: an enum needs its values`)
      if (definition.type === 'reference') {
        if (!definition.target || !TARGET.test(definition.target)) {
          problems.push(`${where}: reference target "${definition.target}" is not a resource`)
          continue
        }
        const target = referenceTarget(plugin, definition)
        const targetPlugin = target.split('.')[0]
        if (target !== USERS_TARGET && !knownTargets.has(target))
          problems.push(`${where}: reference target "${definition.target}" is not declared`)
        else if (
          targetPlugin !== plugin &&
          target !== USERS_TARGET &&
          !dependencies.includes(targetPlugin)
        )
          problems.push(`${where}: "${targetPlugin}" must be a dependency to reference it`)
        const as = includeName(name, definition)
        if (fieldNames.has(as) || (BUILTIN_FIELDS as readonly string[]).includes(as))
          problems.push(`${where}: include name "${as}" collides with a field; set "as"`)
        if (includes.has(as)) problems.push(`${where}: include name "${as}" used twice`)
        includes.add(as)
      }
      problems.push(...personalProblems(where, definition, plugin, withSubject))
    }
    if (resource.title !== undefined && !fieldNames.has(resource.title))
      problems.push(`${at}.title: unknown field "${resource.title}"`)
    const erase = resource.privacy?.erase
    if (erase !== undefined && erase !== 'redact' && erase !== 'delete')
      problems.push(`${at}.privacy.erase: must be 'redact' or 'delete'`)
    if (resource.defaultSort) {
      for (const key of resource.defaultSort.split(',')) {
        const name = key.replace(/^-/, '')
        if (!fieldNames.has(name) && !['id', 'created_at', 'updated_at'].includes(name))
          problems.push(`${at}.defaultSort: unknown field "${name}"`)
      }
    }
  }
  return problems
}

/** A `personal` flag the engine can honour: a subject is a reference, an erasable value can be emptied. */
function personalProblems(
  where: string,
  definition: FieldDefinition,
  plugin: string,
  withSubject?: Set<string>
): string[] {
  const personal = definition.options.personal
  if (personal === undefined) return []
  if (personal === 'subject') {
    if (definition.type !== 'reference')
      return [
        `${where}.personal: 'subject' marks a reference (to core.users or a resource with a subject)`,
      ]
    const target = referenceTarget(plugin, definition)
    if (withSubject && target !== USERS_TARGET && !withSubject.has(target))
      return [`${where}.personal: ${target} has no personal: 'subject' field to follow`]
    return []
  }
  if (personal !== true) return [`${where}.personal: must be true or 'subject'`]
  const required = definition.options.required === true
  if (required && definition.type !== 'string' && definition.type !== 'text')
    return [`${where}.personal: a required ${definition.type} cannot be emptied on erasure`]
  return []
}

const ID: FieldDefinition = { type: 'integer', options: { readOnly: true } }
const TIMESTAMP: FieldDefinition = { type: 'datetime', options: { readOnly: true } }

/** Compiles one resource of `plugin` (its declaration must have passed resourceProblems). */
export function compileResource(plugin: string, definition: ResourceDefinition): ResourceModel {
  const key = `${plugin}.${definition.name}`
  const declared = Object.entries(definition.fields).map(([name, field]) =>
    columnField(name, field)
  )
  const fields = new Map<string, CompiledField>()
  fields.set('id', columnField('id', ID, { type: 'id', kind: 'bigint', writable: false }))
  for (const field of declared) fields.set(field.name, field)
  for (const name of ['created_at', 'updated_at'])
    fields.set(name, columnField(name, TIMESTAMP, { type: 'timestamp', writable: false }))

  const references: Include[] = declared
    .filter((field) => field.type === 'reference')
    .map((field) => ({
      as: includeName(field.name, field.definition),
      field,
      target: referenceTarget(plugin, field.definition),
    }))

  const permission = (action: ResourceAction, verb: string) => {
    const declaredPermission = definition.permissions?.[action]
    return declaredPermission === undefined ? `${key}.${verb}` : declaredPermission
  }

  const writable = declared.filter((field) => field.writable)
  const schemaFor = (action: 'create' | 'update') =>
    vine.compile(
      vine.object(
        Object.fromEntries(
          writable.map((field) => [field.name, bodySchema(field.definition, action)])
        )
      )
    )

  return {
    plugin,
    name: definition.name,
    key,
    table: definition.table ?? defaultTable(plugin, definition.name),
    description: definition.description,
    declared,
    fields,
    permissions: {
      list: permission('list', 'read'),
      read: permission('read', 'read'),
      create: permission('create', 'create'),
      update: permission('update', 'update'),
      delete: permission('delete', 'delete'),
    },
    includes: new Map(references.map((reference) => [reference.as, reference])),
    references,
    searchFields: declared.filter(
      (field) => field.definition.options.search && field.kind === 'string'
    ),
    defaultSort: (definition.defaultSort ?? 'id').split(',').map((sortKey) => ({
      field: fields.get(sortKey.replace(/^-/, ''))!,
      desc: sortKey.startsWith('-'),
    })),
    customFields: definition.customFields !== false,
    rowRules: definition.rowRules ?? {},
    hooks: definition.hooks ?? {},
    validators: { create: schemaFor('create'), update: schemaFor('update') },
    title: fields.get(definition.title ?? 'name'),
    personal: {
      subjects: references.filter(
        (reference) => reference.field.definition.options.personal === 'subject'
      ),
      values: declared.filter((field) => field.definition.options.personal === true),
      erase: definition.privacy?.erase ?? 'redact',
    },
  }
}
