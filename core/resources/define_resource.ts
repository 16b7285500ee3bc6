import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/*
 * The low-code resource declaration: a plugin declares a resource once and the
 * host derives its table (through generated, committed migrations), its CRUD
 * API under /api/v1/<plugin>/<resource>, validation, permissions, row rules,
 * field visibility, audit entries, events and OpenAPI from it.
 */

export type FieldType =
  | 'string'
  | 'text'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'enum'
  | 'json'
  | 'reference'
  | 'file'

/** Options every field accepts. */
export type FieldOptions = {
  /** NOT NULL in the table; must be present on create. */
  required?: boolean
  /** UNIQUE in the tenant (a unique index). */
  unique?: boolean
  /** Default value (column default and on create when absent). */
  default?: string | number | boolean | null
  /** Included in full-text search. */
  search?: boolean
  /** Indexed (filter/sort speed). Unique and reference fields are always indexed. */
  index?: boolean
  /** Human description (OpenAPI). */
  description?: string
  /**
   * Field visibility: only principals holding this permission see the value;
   * others get it omitted (`'omit'`, default) or masked (`'mask'`).
   */
  sensitive?: { permission: string; mode?: 'omit' | 'mask' }
  /** Not writable through the API (set by hooks or services). */
  readOnly?: boolean
  /**
   * Personal data (docs/plugins.md, "Personal data"). `'subject'` on a
   * reference says whose record the row is: a `core.users` reference, or one
   * to a resource with a subject of its own (`erp.students`, whose `user_id`
   * is its subject). `true` marks a value about that person: exported with
   * the row, and emptied when the person is erased (null, or `(erased)` for a
   * required string or text).
   */
  personal?: true | 'subject'
}

export type StringFieldOptions = FieldOptions & { min?: number; max?: number; pattern?: RegExp }
export type NumberFieldOptions = FieldOptions & { min?: number; max?: number }
export type DecimalFieldOptions = NumberFieldOptions & { precision?: number; scale?: number }
export type ReferenceFieldOptions = FieldOptions & {
  /** Name under which `include=<as>` embeds the referenced record. Defaults to the field name without `_id`. */
  as?: string
  /** What happens when the referenced row is deleted. */
  onDelete?: 'restrict' | 'cascade' | 'set null'
}

export type FieldDefinition = {
  type: FieldType
  options: FieldOptions & Record<string, unknown>
  /** enum: the allowed values. */
  values?: readonly string[]
  /**
   * reference: the target resource — `<resource>` of the same plugin or
   * `<plugin>.<resource>` of a declared dependency, or `core.users`.
   */
  target?: string
}

function build(type: FieldType, options: FieldOptions & Record<string, unknown> = {}, extra = {}) {
  return { type, options, ...extra } as FieldDefinition
}

/** Field builders: `field.string({ required: true, max: 120 })`. */
export const field = {
  string: (options: StringFieldOptions = {}) => build('string', options),
  text: (options: StringFieldOptions = {}) => build('text', options),
  integer: (options: NumberFieldOptions = {}) => build('integer', options),
  decimal: (options: DecimalFieldOptions = {}) => build('decimal', options),
  boolean: (options: FieldOptions = {}) => build('boolean', options),
  date: (options: FieldOptions = {}) => build('date', options),
  datetime: (options: FieldOptions = {}) => build('datetime', options),
  enum: (values: readonly string[], options: FieldOptions = {}) =>
    build('enum', options, { values }),
  json: (options: FieldOptions = {}) => build('json', options),
  reference: (target: string, options: ReferenceFieldOptions = {}) =>
    build('reference', options, { target }),
  file: (options: FieldOptions = {}) => build('file', options),
}

export type ResourceAction = 'list' | 'read' | 'create' | 'update' | 'delete'

/** Who is calling, as resources, row rules and hooks see it. */
export type ResourcePrincipal = {
  kind: 'user' | 'api_key' | 'platform'
  /** User id (tenant users), key id (API keys), or `platform`. */
  id: string
  roles: string[]
  can(permission: string): boolean
}

export type ResourceRecord = Record<string, unknown> & { id: string }

/** What hooks receive: the tenant transaction the change runs in, and who made it. */
export type HookContext = {
  trx: TransactionClientContract
  principal: ResourcePrincipal
  resource: string
  ctx?: HttpContext
}

export type ResourceHooks = {
  /** May change `data`; throwing aborts the change (nothing is written). */
  beforeCreate?: (data: Record<string, unknown>, hook: HookContext) => unknown | Promise<unknown>
  afterCreate?: (record: ResourceRecord, hook: HookContext) => unknown | Promise<unknown>
  beforeUpdate?: (
    changes: Record<string, unknown>,
    before: ResourceRecord,
    hook: HookContext
  ) => unknown | Promise<unknown>
  afterUpdate?: (
    record: ResourceRecord,
    before: ResourceRecord,
    hook: HookContext
  ) => unknown | Promise<unknown>
  beforeDelete?: (record: ResourceRecord, hook: HookContext) => unknown | Promise<unknown>
  afterDelete?: (record: ResourceRecord, hook: HookContext) => unknown | Promise<unknown>
}

/**
 * A row rule narrows what a principal may see and change, in list, detail,
 * update, delete and search alike. It returns `true` (no restriction), `false`
 * (nothing), or a condition applied to the resource's query.
 */
export type RowRule = (
  principal: ResourcePrincipal,
  query: RowRuleQuery
) => boolean | void | Promise<boolean | void>

/** The narrow query surface a row rule may use (column names are checked against the resource). */
export type RowRuleQuery = {
  where(column: string, value: unknown): RowRuleQuery
  whereIn(column: string, values: readonly unknown[] | RowRuleSubquery): RowRuleQuery
}

/** A sub-select on another table of the tenant schema, e.g. the ids of a parent's children. */
export type RowRuleSubquery = { table: string; column: string; where: Record<string, unknown> }

export type ResourceDefinition = {
  /** Plural snake_case name: URL segment and permission segment (`<plugin>.<name>.<action>`). */
  name: string
  /** Table in the tenant schema; defaults to `<plugin>_<name>` (dashes become underscores). */
  table?: string
  description?: string
  fields: Record<string, FieldDefinition>
  /**
   * Permission per action; defaults to `<plugin>.<name>.read` for list and read,
   * `<plugin>.<name>.create|update|delete` for the others. `false` turns the action off.
   */
  permissions?: Partial<Record<ResourceAction, string | false>>
  /** Row rules per built-in or custom role name; roles without a rule see every row. */
  rowRules?: Record<string, RowRule>
  hooks?: ResourceHooks
  /** Default sort, e.g. '-created_at'. */
  defaultSort?: string
  /** Tenant admins may add custom fields (default true). */
  customFields?: boolean
  /**
   * The field that names a record to people (`name` when left out and the
   * resource has one): a personal-data export shows it beside a reference to
   * this resource, e.g. `room: "101"` beside `room_id`.
   */
  title?: string
  /**
   * What erasing a person does to their rows (those whose `personal:
   * 'subject'` field points at them): `'redact'` (default) keeps the row and
   * empties its `personal: true` fields; `'delete'` removes the rows.
   */
  privacy?: { erase?: 'redact' | 'delete' }
}

export function defineResource(definition: ResourceDefinition): ResourceDefinition {
  return definition
}
