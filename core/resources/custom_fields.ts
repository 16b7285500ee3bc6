import vine from '@vinejs/vine'
import { E_CONFLICT, E_CUSTOM_FIELD_NOT_FOUND, E_VALIDATION } from '../errors.js'
import { recordAudit } from '../audit/audit.js'
import { tenantCache } from '../cache/index.js'
import { actorOf } from '../rbac/authorize.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import type { FieldDefinition, ResourcePrincipal } from './define_resource.js'
import { bodySchema, customField, type CompiledField } from './fields.js'
import type { BodyValidator, ResourceModel } from './model.js'
import { ident, PG, type PgError } from './sql.js'

/*
 * Tenant custom fields: a tenant admin adds fields to a resource without DDL.
 * Definitions live in the tenant's `custom_fields` table, values in each row's
 * `custom` jsonb. Definitions are kept in the tenant cache (core/cache) and
 * dropped when they change, in every process.
 */

export const CUSTOM_FIELD_TYPES = [
  'string',
  'text',
  'integer',
  'decimal',
  'boolean',
  'date',
  'enum',
] as const

export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number]

export type CustomFieldDefinition = {
  name: string
  type: CustomFieldType
  required: boolean
  min: number | null
  max: number | null
  values: string[] | null
  description: string | null
}

/** A resource's custom fields in one tenant, compiled. */
export type ResourceCustomFields = {
  list: CustomFieldDefinition[]
  /** By API name (`custom.<name>`), for filters and sorts. */
  fields: Map<string, CompiledField>
  validators: { create: BodyValidator; update: BodyValidator }
}

/** Most custom fields one resource may have in a tenant. */
export const MAX_CUSTOM_FIELDS = 50

function asFieldDefinition(field: CustomFieldDefinition): FieldDefinition {
  const options: FieldDefinition['options'] = {
    required: field.required,
    description: field.description ?? undefined,
  }
  if (field.min !== null) options.min = field.min
  if (field.max !== null) options.max = field.max
  if (field.type === 'text' && field.max === null) options.max = 10_000
  if (field.type === 'decimal') Object.assign(options, { precision: 18, scale: 6 })
  return { type: field.type, options, values: field.values ?? undefined }
}

function compile(list: CustomFieldDefinition[]): ResourceCustomFields {
  const schemaFor = (action: 'create' | 'update') =>
    vine.compile(
      vine.object(
        Object.fromEntries(
          list.map((field) => [field.name, bodySchema(asFieldDefinition(field), action)])
        )
      )
    )
  return {
    list,
    fields: new Map(
      list.map((field) => [
        `custom.${field.name}`,
        customField(field.name, asFieldDefinition(field)),
      ])
    ),
    validators: { create: schemaFor('create'), update: schemaFor('update') },
  }
}

const NONE = compile([])

type TenantEntry = { byResource: Map<string, ResourceCustomFields> }

/** Every process forgets a tenant's definitions when they change (the tenant cache's one channel). */
function changed(tenantId: string) {
  tenantCache.invalidate({ tenantId, kind: 'custom_fields' }, { broadcast: true })
}

/** Forgets cached custom fields (of one tenant, or all). */
export function invalidateCustomFields(tenantId?: string) {
  tenantCache.invalidate({ tenantId, kind: 'custom_fields' })
}

function fromRow(row: Record<string, any>): CustomFieldDefinition {
  return {
    name: row.name,
    type: row.type,
    required: row.required,
    min: row.min === null ? null : Number(row.min),
    max: row.max === null ? null : Number(row.max),
    values: row.values,
    description: row.description,
  }
}

function tenantEntry(): Promise<TenantEntry> {
  const tenant = tenantContext.require()
  return tenantCache.get('custom_fields', tenant.id, '', async () => {
    const rows = await readTenantDb(async (client, table) =>
      client
        .from(table('custom_fields'))
        .orderBy(['plugin', 'resource', 'id'])
        .select(
          'plugin',
          'resource',
          'name',
          'type',
          'required',
          'min',
          'max',
          'values',
          'description'
        )
    )
    const grouped = new Map<string, CustomFieldDefinition[]>()
    for (const row of rows) {
      const key = `${row.plugin}.${row.resource}`
      grouped.set(key, [...(grouped.get(key) ?? []), fromRow(row)])
    }
    return { byResource: new Map([...grouped].map(([key, list]) => [key, compile(list)])) }
  })
}

/** The custom fields of `model` in the current tenant (cached). */
export async function customFieldsOf(model: ResourceModel): Promise<ResourceCustomFields> {
  if (!model.customFields) return NONE
  const entry = await tenantEntry()
  return entry.byResource.get(model.key) ?? NONE
}

/** Every custom field of the current tenant, by `<plugin>.<resource>` (cached). */
export async function customFieldsByResource(): Promise<Record<string, CustomFieldDefinition[]>> {
  const entry = await tenantEntry()
  return Object.fromEntries([...entry.byResource].map(([key, fields]) => [key, fields.list]))
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/

const newCustomField = vine.compile(
  vine.object({
    name: vine.string().regex(NAME).meta({ hint: 'snake_case, at most 40 characters' }),
    type: vine.enum(CUSTOM_FIELD_TYPES),
    required: vine.boolean({ strict: true }).optional(),
    min: vine.number({ strict: true }).optional(),
    max: vine.number({ strict: true }).optional(),
    values: vine
      .array(vine.string().trim().minLength(1).maxLength(100))
      .minLength(1)
      .maxLength(100)
      .distinct()
      .optional(),
    description: vine.string().trim().maxLength(500).optional(),
  })
)

function invalid(field: string, rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field, rule, message }] })
}

/** Who changes custom fields: a tenant admin or the platform. */
export type ChangedBy = { principal: ResourcePrincipal; requestId?: string | null }

/** Adds a custom field to `model` in the current tenant; returns its definition. */
export async function addCustomField(
  model: ResourceModel,
  input: unknown,
  by: ChangedBy
): Promise<CustomFieldDefinition> {
  if (!model.customFields) {
    throw invalid('resource', 'custom_fields', `${model.key} does not take custom fields`)
  }
  const data = await newCustomField.validate(input)
  if (data.type === 'enum' && !data.values)
    throw invalid('values', 'required', 'An enum field needs its values')
  if (data.type !== 'enum' && data.values)
    throw invalid('values', 'not_allowed', 'Only enum fields take values')
  if (['boolean', 'date', 'enum'].includes(data.type) && (data.min ?? data.max) !== undefined)
    throw invalid('min', 'not_allowed', `A ${data.type} field takes no min or max`)
  if (data.min !== undefined && data.max !== undefined && data.min > data.max)
    throw invalid('max', 'min', 'max must not be below min')
  if (
    ['string', 'text'].includes(data.type) &&
    [data.min, data.max].some((n) => n !== undefined && (n < 0 || !Number.isInteger(n)))
  )
    throw invalid('min', 'length', 'min and max of a text field are lengths: whole numbers from 0')

  const tenant = tenantContext.require()
  const definition = await withTenantDb(async (trx) => {
    const [{ count }] = await trx
      .from('custom_fields')
      .where({ plugin: model.plugin, resource: model.name })
      .count('* as count')
    if (Number(count) >= MAX_CUSTOM_FIELDS)
      throw invalid('name', 'max', `A resource has at most ${MAX_CUSTOM_FIELDS} custom fields`)
    let row
    try {
      ;[row] = await trx
        .insertQuery()
        .table('custom_fields')
        .insert({
          plugin: model.plugin,
          resource: model.name,
          name: data.name,
          type: data.type,
          required: data.required ?? false,
          min: data.min ?? null,
          max: data.max ?? null,
          values: data.values ? JSON.stringify(data.values) : null,
          description: data.description ?? null,
        })
        .returning('*')
    } catch (error) {
      if ((error as PgError).code === PG.uniqueViolation) {
        throw new E_CONFLICT([`${model.key} already has a custom field "${data.name}"`], {
          details: [{ field: 'name', rule: 'unique', message: 'This name is already used' }],
        })
      }
      throw error
    }
    const added = fromRow(row)
    await recordAudit(trx, {
      actor: actorOf(by.principal),
      action: 'core.custom_fields.create',
      subject: `${model.key}:custom.${added.name}`,
      data: { field: added },
      request_id: by.requestId ?? null,
    })
    return added
  })
  changed(tenant.id)
  return definition
}

/**
 * Removes a custom field of `model` in the current tenant, and its values from
 * every row, so that a field added later under the same name starts empty.
 */
export async function removeCustomField(model: ResourceModel, name: string, by: ChangedBy) {
  const tenant = tenantContext.require()
  await withTenantDb(async (trx) => {
    const deleted = await trx
      .from('custom_fields')
      .where({ plugin: model.plugin, resource: model.name, name })
      .delete()
      .returning('*')
    if (!deleted.length) throw new E_CUSTOM_FIELD_NOT_FOUND([model.key, name])
    await trx.rawQuery(
      `UPDATE ${ident(model.table)} SET "custom" = "custom" - ?::text WHERE jsonb_exists("custom", ?::text)`,
      [name, name]
    )
    await recordAudit(trx, {
      actor: actorOf(by.principal),
      action: 'core.custom_fields.delete',
      subject: `${model.key}:custom.${name}`,
      data: { field: fromRow(deleted[0]) },
      request_id: by.requestId ?? null,
    })
  })
  changed(tenant.id)
}
