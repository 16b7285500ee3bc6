import type { JsonSchema } from '../../openapi/schemas.js'

/* Schemas of the collection change routes in the OpenAPI document. */

/** A field as the definition JSON has it (docs/collections.md); checked path by path by the server. */
const fieldSpec: JsonSchema = {
  type: 'object',
  description: 'A field of the definition JSON (docs/collections.md, "Definition")',
  additionalProperties: true,
}

const change: JsonSchema = {
  type: 'object',
  required: ['op'],
  properties: {
    op: { enum: ['add_field', 'rename_field', 'remove_field', 'change_field'] },
    name: { type: 'string', description: 'add_field, remove_field, change_field: the field' },
    from: { type: 'string', description: 'rename_field: its current name' },
    to: { type: 'string', description: 'rename_field: its new name' },
    field: {
      ...fieldSpec,
      description:
        'add_field: the new field; change_field: with type, the whole new field; without, only the keys that change (null removes one)',
    },
    on_invalid: {
      enum: ['null', 'default'],
      description:
        'change_field: what stored values that do not fit the new type or values become (kept in the backup)',
    },
  },
}

export const changeRequestSchema: JsonSchema = {
  type: 'object',
  required: ['changes'],
  properties: {
    changes: { type: 'array', minItems: 1, maxItems: 50, items: change },
    dry_run: { type: 'boolean', description: 'Only plan: nothing is written' },
    confirm: {
      type: 'boolean',
      description: 'Needed to apply a plan with destructive steps (a backup table is kept)',
    },
    expected_version: {
      type: 'integer',
      minimum: 1,
      description: 'The version the change was planned against; another answers 409',
    },
  },
}

const problem: JsonSchema = {
  type: 'object',
  required: ['code', 'message', 'blocking'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    rows: { type: 'integer' },
    blocking: { type: 'boolean' },
    resolution: { type: 'string' },
  },
}

const step: JsonSchema = {
  type: 'object',
  required: ['op', 'field', 'sql_kind', 'destructive', 'affected_rows', 'problems', 'sql'],
  properties: {
    op: { type: 'string' },
    field: { type: 'string' },
    sql_kind: { type: 'string' },
    destructive: { type: 'boolean' },
    affected_rows: { type: 'integer' },
    problems: { type: 'array', items: problem },
    description: { type: 'string' },
    sql: { type: 'array', items: { type: 'string' } },
  },
}

export const planSchema: JsonSchema = {
  type: 'object',
  required: ['collection', 'from_version', 'to_version', 'destructive', 'applicable', 'steps'],
  properties: {
    collection: { type: 'string' },
    from_version: { type: 'integer' },
    to_version: { type: 'integer' },
    destructive: { type: 'boolean' },
    applicable: { type: 'boolean' },
    rows: { type: 'integer' },
    steps: { type: 'array', items: step },
    definition: { type: 'object', additionalProperties: true },
  },
}

export const changeResultSchema: JsonSchema = {
  type: 'object',
  required: [...(planSchema.required as string[]), 'applied', 'version', 'backup_table'],
  properties: {
    ...(planSchema.properties as Record<string, JsonSchema>),
    applied: { type: 'boolean' },
    version: { type: 'integer' },
    backup_table: { type: ['string', 'null'] },
    change_id: { type: ['string', 'null'] },
  },
}

export const appliedChangeSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'from_version', 'to_version', 'destructive', 'applied_at', 'plan'],
  properties: {
    id: { type: 'string' },
    collection: { type: 'string' },
    from_version: { type: 'integer' },
    to_version: { type: 'integer' },
    destructive: { type: 'boolean' },
    backup_table: { type: ['string', 'null'] },
    applied_by: { type: ['string', 'null'] },
    applied_at: { type: 'string', format: 'date-time' },
    plan: { type: 'object', additionalProperties: true },
  },
}
