import { E_VALIDATION } from '../errors.js'
import type {
  FieldDefinition,
  FieldType,
  ResourceDefinition,
} from '../resources/define_resource.js'
import { BUILTIN_FIELDS, resourceProblems, USERS_TARGET } from '../resources/model.js'

/*
 * A collection's definition: the JSON a tenant admin sends and the
 * `collections.definition` column keeps (docs/collections.md). It is checked
 * here once, with a detail per path, and turned into the same
 * ResourceDefinition a plugin declares, so the resource engine serves it.
 */

export const FIELD_TYPES = [
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
] as const satisfies readonly FieldType[]

export type OnDelete = 'restrict' | 'cascade' | 'set null'

export type FieldSpec = {
  type: FieldType
  label?: string
  description?: string
  required?: boolean
  unique?: boolean
  default?: string | number | boolean | null
  search?: boolean
  index?: boolean
  min?: number
  max?: number
  values?: string[]
  target?: string
  on_delete?: OnDelete
  personal?: true | 'subject'
  sensitive?: { permission: string; mode?: 'omit' | 'mask' }
}

export type CollectionDefinition = {
  fields: Record<string, FieldSpec>
  title?: string
  owner?: { field: string; roles: string[] }
  privacy?: { erase: 'redact' | 'delete' }
}

/** What references may point to, besides `core.users` (checked when given). */
export type DefinitionContext = {
  /** `<plugin>.<resource>` of enabled plugins and `collections.<name>` of existing collections. */
  targets: Set<string>
  /** Targets with a `personal: 'subject'` field of their own (a `personal: 'subject'` reference may follow them). */
  withSubject?: Set<string>
  /** The collection being defined: it may reference itself. */
  self?: string
}

export type Detail = { field: string; rule: string; message: string }

/** The plugin name collections are served under: keys `collections.<name>`, tables `col_<name>`. */
export const COLLECTIONS = 'collections'

export const COLLECTION_NAME = /^[a-z][a-z0-9_]{1,38}$/
export const FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/
const PERMISSION = /^[a-z][a-z0-9_-]*(\.[a-z0-9_*-]+)+$/

/** Names that would collide with the routes under /api/v1/admin/collections and /api/v1/collections. */
export const RESERVED_NAMES = new Set([
  'views',
  'forms',
  'automations',
  'changes',
  'import',
  'export',
  'template',
  'templates',
  'public',
  'records',
  'users',
  'admin',
  'new',
])

export const LONGEST_STRING = 4000
const LONGEST_TEXT = 1_000_000
const MAX_ENUM_VALUES = 100

const SPEC_KEYS = new Set([
  'type',
  'label',
  'description',
  'required',
  'unique',
  'default',
  'search',
  'index',
  'min',
  'max',
  'values',
  'target',
  'on_delete',
  'personal',
  'sensitive',
])
const DEFINITION_KEYS = new Set(['fields', 'title', 'owner', 'privacy'])

export function tableOfCollection(name: string) {
  return `col_${name}`
}

export function keyOfCollection(name: string) {
  return `${COLLECTIONS}.${name}`
}

/** Problems of a collection name, as validation details of `field`. */
export function nameProblems(name: unknown, field = 'name'): Detail[] {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name))
    return [
      {
        field,
        rule: 'regex',
        message:
          'A collection name is 2 to 39 characters: a lowercase letter, then lowercase letters, digits or _',
      },
    ]
  if (RESERVED_NAMES.has(name))
    return [{ field, rule: 'reserved', message: `"${name}" is reserved; choose another name` }]
  return []
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value)

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** Whether `value` is a default the column of `spec` can hold. */
function defaultProblem(spec: FieldSpec, value: unknown): string | null {
  if (value === null) return spec.required ? 'a required field cannot default to null' : null
  switch (spec.type) {
    case 'string':
    case 'text':
    case 'file': {
      if (typeof value !== 'string') return 'must be a string'
      const max = spec.type === 'string' ? (spec.max ?? 255) : spec.type === 'file' ? 500 : spec.max
      if (max !== undefined && value.length > max) return `is longer than ${max} characters`
      if (spec.min !== undefined && value.length < spec.min)
        return `is shorter than ${spec.min} characters`
      return null
    }
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number'
      if (spec.type === 'integer' && !Number.isSafeInteger(value)) return 'must be a whole number'
      if (spec.min !== undefined && value < spec.min) return `is below min (${spec.min})`
      if (spec.max !== undefined && value > spec.max) return `is above max (${spec.max})`
      return null
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false'
    case 'date':
      return typeof value === 'string' &&
        DATE.test(value) &&
        !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
        ? null
        : 'must be a date (YYYY-MM-DD)'
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) && value.includes('T')
        ? null
        : 'must be an ISO 8601 date-time'
    case 'enum':
      return typeof value === 'string' && spec.values?.includes(value)
        ? null
        : 'must be one of the values'
    default:
      return `a ${spec.type} field takes no default`
  }
}

/** One field's spec, checked; its problems are pushed to `details` under `fields.<name>`. */
function parseField(
  name: string,
  raw: unknown,
  details: Detail[],
  context?: DefinitionContext
): FieldSpec | null {
  const at = `fields.${name}`
  const problem = (path: string, rule: string, message: string) =>
    details.push({ field: path ? `${at}.${path}` : at, rule, message })
  const before = details.length
  if (!FIELD_NAME.test(name))
    problem(
      '',
      'regex',
      'A field name is at most 40 characters: a lowercase letter, then lowercase letters, digits or _'
    )
  else if ((BUILTIN_FIELDS as readonly string[]).includes(name))
    problem('', 'reserved', `"${name}" is a column every collection has`)
  // Every object has a "constructor": a record body without the field would seem to carry one.
  else if (name in Object.prototype)
    problem('', 'reserved', `"${name}" is reserved; choose another name`)
  if (!isObject(raw)) {
    problem('', 'object', 'A field is an object with at least a type')
    return null
  }
  for (const key of Object.keys(raw))
    if (!SPEC_KEYS.has(key)) problem(key, 'unknown_key', `A field takes no "${key}"`)
  const type = raw.type as FieldType
  if (!(FIELD_TYPES as readonly string[]).includes(type as string)) {
    problem('type', 'enum', `The type must be one of ${FIELD_TYPES.join(', ')}`)
    return null
  }
  const spec = { ...raw } as FieldSpec
  for (const key of ['label', 'description'] as const) {
    const value = raw[key]
    const longest = key === 'label' ? 120 : 500
    if (value !== undefined && (typeof value !== 'string' || value.length > longest))
      problem(key, 'string', `${key} must be text of at most ${longest} characters`)
  }
  for (const key of ['required', 'unique', 'search', 'index'] as const)
    if (raw[key] !== undefined && typeof raw[key] !== 'boolean')
      problem(key, 'boolean', `${key} must be true or false`)

  const textual = type === 'string' || type === 'text'
  const numeric = type === 'integer' || type === 'decimal'
  for (const key of ['min', 'max'] as const) {
    const value = raw[key]
    if (value === undefined) continue
    if (!textual && !numeric) problem(key, 'not_allowed', `A ${type} field takes no ${key}`)
    else if (typeof value !== 'number' || !Number.isFinite(value))
      problem(key, 'number', `${key} must be a number`)
    else if (textual && (!Number.isInteger(value) || value < 0))
      problem(key, 'length', `${key} of a ${type} field is a length: a whole number from 0`)
    else if (type === 'string' && key === 'max' && (value < 1 || value > LONGEST_STRING))
      problem(key, 'max', `A string field holds 1 to ${LONGEST_STRING} characters; use text`)
    else if (type === 'text' && value > LONGEST_TEXT)
      problem(key, 'max', `A text field holds at most ${LONGEST_TEXT} characters`)
    else if (type === 'integer' && (!Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1))
      problem(key, 'integer', `${key} of an integer field is a whole number within 32 bits`)
  }
  if (typeof raw.min === 'number' && typeof raw.max === 'number' && raw.min > raw.max)
    problem('max', 'min', 'max must not be below min')

  if (type === 'enum') {
    const values = raw.values
    if (
      !Array.isArray(values) ||
      !values.length ||
      values.length > MAX_ENUM_VALUES ||
      values.some((value) => typeof value !== 'string' || !value.length || value.length > 100)
    )
      problem(
        'values',
        'values',
        `An enum field needs its values: 1 to ${MAX_ENUM_VALUES} strings of 1 to 100 characters`
      )
    else if (new Set(values).size !== values.length)
      problem('values', 'distinct', 'The values must be distinct')
  } else if (raw.values !== undefined)
    problem('values', 'not_allowed', 'Only enum fields take values')

  if (type === 'reference') {
    if (!name.endsWith('_id') || name === '_id')
      problem(
        '',
        'reference_name',
        `A reference field's name ends in _id (include=${name.replace(/_id$/, '')} embeds the record it points to)`
      )
    const target = raw.target
    if (typeof target !== 'string' || !target.includes('.'))
      problem(
        'target',
        'reference',
        'A reference names its target: core.users, <plugin>.<resource> or collections.<name>'
      )
    else if (
      context &&
      target !== USERS_TARGET &&
      target !== (context.self ? keyOfCollection(context.self) : undefined) &&
      !context.targets.has(target)
    )
      problem(
        'target',
        'reference',
        `"${target}" is not a resource of an enabled module nor a collection of this institution`
      )
    if (
      raw.on_delete !== undefined &&
      !['restrict', 'cascade', 'set null'].includes(raw.on_delete as string)
    )
      problem('on_delete', 'enum', 'on_delete is restrict, cascade or set null')
    if (raw.default !== undefined)
      problem('default', 'not_allowed', 'A reference field takes no default')
  } else {
    if (raw.target !== undefined)
      problem('target', 'not_allowed', 'Only reference fields take a target')
    if (raw.on_delete !== undefined)
      problem('on_delete', 'not_allowed', 'Only reference fields take on_delete')
  }

  if (raw.search === true && !textual && type !== 'enum')
    problem('search', 'not_allowed', 'Only string, text and enum fields are searched')
  if (raw.unique === true && type === 'json')
    problem('unique', 'not_allowed', 'A json field cannot be unique')

  const personal = raw.personal
  if (personal !== undefined) {
    if (personal === 'subject') {
      if (type !== 'reference')
        problem('personal', 'subject', "'subject' marks a reference to the person the row is about")
      else if (
        context?.withSubject &&
        typeof raw.target === 'string' &&
        raw.target !== USERS_TARGET &&
        !context.withSubject.has(raw.target)
      )
        problem('personal', 'subject', `${raw.target} has no subject of its own to follow`)
    } else if (personal !== true) problem('personal', 'enum', "personal is true or 'subject'")
  }

  const sensitive = raw.sensitive
  if (sensitive !== undefined) {
    if (
      !isObject(sensitive) ||
      typeof sensitive.permission !== 'string' ||
      !PERMISSION.test(sensitive.permission) ||
      (sensitive.mode !== undefined && sensitive.mode !== 'omit' && sensitive.mode !== 'mask') ||
      Object.keys(sensitive).some((key) => key !== 'permission' && key !== 'mode')
    )
      problem(
        'sensitive',
        'sensitive',
        'sensitive is { permission: "<a.permission>", mode?: "omit" | "mask" }'
      )
  }

  if (details.length === before && raw.default !== undefined && type !== 'reference') {
    const wrong = defaultProblem(spec, raw.default)
    if (wrong) problem('default', 'default', `The default ${wrong}`)
  }
  return details.length === before ? spec : null
}

/**
 * Checks a definition and returns it (keys in a fixed order); throws
 * ERR_VALIDATION with a detail per path (`fields.<name>.<key>`, `title`,
 * `owner.field`, ...). With `context`, reference targets must exist.
 */
export function parseDefinition(input: unknown, context?: DefinitionContext): CollectionDefinition {
  const details: Detail[] = []
  const fail = (): never => {
    throw new E_VALIDATION([], { details })
  }
  if (!isObject(input)) {
    details.push({ field: 'definition', rule: 'object', message: 'The definition is an object' })
    fail()
  }
  const raw = input as Record<string, unknown>
  for (const key of Object.keys(raw))
    if (!DEFINITION_KEYS.has(key))
      details.push({ field: key, rule: 'unknown_key', message: `A definition takes no "${key}"` })
  if (!isObject(raw.fields) || !Object.keys(raw.fields).length) {
    details.push({
      field: 'fields',
      rule: 'required',
      message: 'A collection needs at least one field',
    })
    fail()
  }
  const fields: Record<string, FieldSpec> = {}
  for (const [name, spec] of Object.entries(raw.fields as Record<string, unknown>)) {
    const parsed = parseField(name, spec, details, context)
    if (parsed) fields[name] = parsed
  }
  const definition: CollectionDefinition = { fields }
  for (const [name, spec] of Object.entries(fields))
    if (spec.type === 'reference' && name.replace(/_id$/, '') in (raw.fields as object))
      details.push({
        field: `fields.${name}`,
        rule: 'include_name',
        message: `include=${name.replace(/_id$/, '')} would embed the record ${name} points to, but a field has that name`,
      })

  if (raw.title !== undefined) {
    if (typeof raw.title !== 'string' || !(raw.title in (raw.fields as object)))
      details.push({ field: 'title', rule: 'field', message: 'title names one of the fields' })
    else definition.title = raw.title
  }
  if (raw.owner !== undefined) {
    const owner = raw.owner as Record<string, unknown>
    const field = isObject(owner) ? fields[owner.field as string] : undefined
    if (!isObject(owner) || typeof owner.field !== 'string')
      details.push({
        field: 'owner',
        rule: 'object',
        message: 'owner is { field: "<a core.users reference>", roles: ["<role>", ...] }',
      })
    else if (!field || field.type !== 'reference' || field.target !== USERS_TARGET)
      details.push({
        field: 'owner.field',
        rule: 'owner',
        message: 'The owner field is a reference to core.users',
      })
    else if (field.required)
      details.push({
        field: 'owner.field',
        rule: 'owner',
        message: 'The owner field cannot be required: it is set to the person who creates a record',
      })
    if (
      isObject(owner) &&
      (!Array.isArray(owner.roles) ||
        !owner.roles.length ||
        owner.roles.some((role) => typeof role !== 'string' || !role.length || role.length > 100))
    )
      details.push({
        field: 'owner.roles',
        rule: 'roles',
        message: 'owner.roles lists the roles that see only their own records',
      })
    else if (isObject(owner) && (owner.roles as string[]).includes('TenantAdmin'))
      details.push({
        field: 'owner.roles',
        rule: 'roles',
        message: 'A TenantAdmin sees every record; leave it out',
      })
    if (isObject(owner) && Object.keys(owner).some((key) => key !== 'field' && key !== 'roles'))
      details.push({ field: 'owner', rule: 'unknown_key', message: 'owner takes field and roles' })
    if (!details.some((detail) => detail.field.startsWith('owner')))
      definition.owner = { field: owner.field as string, roles: [...(owner.roles as string[])] }
  }
  if (raw.privacy !== undefined) {
    const privacy = raw.privacy as Record<string, unknown>
    if (
      !isObject(privacy) ||
      (privacy.erase !== 'redact' && privacy.erase !== 'delete') ||
      Object.keys(privacy).length !== 1
    )
      details.push({
        field: 'privacy',
        rule: 'privacy',
        message: 'privacy is { erase: "redact" | "delete" }',
      })
    else definition.privacy = { erase: privacy.erase as 'redact' | 'delete' }
  }
  if (details.length) fail()

  // What the engine itself checks of a plugin's declaration (include names, personal flags, ...).
  const name = context?.self ?? 'collection'
  const targets = new Set([...(context?.targets ?? []), keyOfCollection(name)])
  const dependencies = [...new Set([...targets].map((target) => target.split('.')[0]))]
  if (!context)
    for (const spec of Object.values(fields))
      if (spec.target && spec.target !== USERS_TARGET) targets.add(spec.target)
  for (const spec of Object.values(fields))
    if (spec.target) dependencies.push(spec.target.split('.')[0])
  const withSubject = context?.withSubject
    ? new Set([
        ...context.withSubject,
        ...(Object.values(fields).some((spec) => spec.personal === 'subject')
          ? [keyOfCollection(name)]
          : []),
      ])
    : undefined
  const problems = resourceProblems(
    COLLECTIONS,
    [toResourceDefinition(name, definition)],
    targets,
    dependencies,
    withSubject
  )
  for (const problem of problems) {
    const [path, ...message] = problem.split(': ')
    details.push({
      field: path.replace(/^resources\.[^.]+\./, ''),
      rule: 'definition',
      message: message.join(': '),
    })
  }
  if (details.length) fail()
  return definition
}

/** A resource field as the engine declares it. */
function fieldDefinition(spec: FieldSpec): FieldDefinition {
  const options: FieldDefinition['options'] = {}
  if (spec.required !== undefined) options.required = spec.required
  if (spec.unique !== undefined) options.unique = spec.unique
  if (spec.default !== undefined) options.default = spec.default
  if (spec.search !== undefined) options.search = spec.search
  if (spec.index !== undefined) options.index = spec.index
  if (spec.description !== undefined) options.description = spec.description
  if (spec.label !== undefined) options.label = spec.label
  if (spec.min !== undefined) options.min = spec.min
  if (spec.max !== undefined) options.max = spec.max
  if (spec.on_delete !== undefined) options.onDelete = spec.on_delete
  if (spec.personal !== undefined) options.personal = spec.personal
  if (spec.sensitive !== undefined) options.sensitive = { ...spec.sensitive }
  return {
    type: spec.type,
    options,
    values: spec.values ? [...spec.values] : undefined,
    target: spec.target,
  }
}

/**
 * The ResourceDefinition of a collection: served under /api/v1/collections/<name>,
 * permissions `collections.<name>.<verb>`, table `col_<name>`. An owner rule
 * narrows the rows of its roles to the caller's own and sets the owner on create.
 */
export function toResourceDefinition(
  name: string,
  definition: CollectionDefinition
): ResourceDefinition {
  const owner = definition.owner
  const resource: ResourceDefinition = {
    name,
    table: tableOfCollection(name),
    fields: Object.fromEntries(
      Object.entries(definition.fields).map(([field, spec]) => [field, fieldDefinition(spec)])
    ),
    title: definition.title,
    privacy: definition.privacy ? { erase: definition.privacy.erase } : undefined,
    customFields: true,
  }
  if (owner) {
    const own = (principal: { kind: string; id: string }, query: any) => {
      if (principal.kind !== 'user') return false
      query.where(owner.field, principal.id)
    }
    resource.rowRules = Object.fromEntries(owner.roles.map((role) => [role, own]))
    resource.hooks = {
      beforeCreate(data, { principal }) {
        if (
          principal.kind === 'user' &&
          (data[owner.field] === undefined || data[owner.field] === null)
        )
          return { ...data, [owner.field]: principal.id }
        return data
      },
    }
  }
  return resource
}
