import type { OperationDoc } from '../../openapi/operations.js'
import { E_FORBIDDEN, E_VALIDATION } from '../../errors.js'
import { describeOperations } from '../../openapi/operations.js'
import { arrayOf, type JsonSchema } from '../../openapi/schemas.js'
import { E_COLLECTION_NOT_FOUND } from '../errors.js'
import {
  E_AUTOMATION_DISABLED,
  E_AUTOMATION_INVALID,
  E_AUTOMATION_NOT_FOUND,
  E_AUTOMATION_RUN_NOT_FAILED,
  E_AUTOMATION_RUN_NOT_FOUND,
} from './errors.js'
import { runsQueryValidator } from './validators.js'

const scalar: JsonSchema = { type: ['string', 'number', 'boolean', 'null'] }
const condition: JsonSchema = {
  type: 'object',
  required: ['field', 'equals'],
  properties: { field: { type: 'string' }, equals: scalar },
}
const trigger: JsonSchema = {
  description:
    'When it runs: on create, on update (only when `field` changed, if given), or on a schedule (`at` is HH:MM in the institution’s time zone; weekly is on Mondays). `when` keeps the records whose field equals the value; a scheduled automation runs once per such record, or once without `when`.',
  oneOf: [
    {
      type: 'object',
      required: ['on'],
      properties: { on: { const: 'create' }, when: condition },
    },
    {
      type: 'object',
      required: ['on'],
      properties: { on: { const: 'update' }, field: { type: 'string' }, when: condition },
    },
    {
      type: 'object',
      required: ['on', 'every'],
      properties: {
        on: { const: 'schedule' },
        every: { enum: ['hour', 'day', 'week'] },
        at: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
        when: condition,
      },
    },
  ],
}
const action: JsonSchema = {
  description:
    'What it does. Texts and values may hold `{{field}}` placeholders, filled from the record (a value that is exactly `{{field}}` keeps its type).',
  oneOf: [
    {
      type: 'object',
      required: ['type', 'to', 'title', 'body'],
      properties: {
        type: { const: 'notify' },
        to: {
          oneOf: [
            { type: 'object', required: ['role'], properties: { role: { type: 'string' } } },
            {
              type: 'object',
              required: ['user_id'],
              properties: { user_id: { type: 'string', format: 'uuid' } },
            },
            {
              type: 'object',
              required: ['user_field'],
              properties: { user_field: { type: 'string' } },
            },
          ],
        },
        title: { type: 'string', maxLength: 200 },
        body: { type: 'string', maxLength: 2000 },
      },
    },
    {
      type: 'object',
      required: ['type', 'url'],
      properties: { type: { const: 'webhook' }, url: { type: 'string', maxLength: 2000 } },
    },
    {
      type: 'object',
      required: ['type', 'field', 'value'],
      properties: { type: { const: 'set_field' }, field: { type: 'string' }, value: scalar },
    },
    {
      type: 'object',
      required: ['type', 'collection', 'values'],
      properties: {
        type: { const: 'create_record' },
        collection: { type: 'string' },
        values: { type: 'object', additionalProperties: scalar },
      },
    },
  ],
}
const automation: JsonSchema = {
  type: 'object',
  required: ['id', 'collection', 'name', 'trigger', 'action', 'enabled', 'signed'],
  properties: {
    id: { type: 'string' },
    collection: { type: 'string' },
    name: { type: 'string' },
    trigger,
    action,
    enabled: { type: 'boolean' },
    signed: {
      type: 'boolean',
      description: 'A webhook automation signs its calls (Oryne-Signature)',
    },
    secret: {
      type: 'string',
      description: 'The webhook signing secret, in the answer that made it only',
    },
    last_scheduled_at: { type: ['string', 'null'], format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
}
const run: JsonSchema = {
  type: 'object',
  required: ['id', 'automation_id', 'event', 'status', 'attempts'],
  properties: {
    id: { type: 'string' },
    automation_id: { type: 'string' },
    record_id: { type: ['string', 'null'] },
    event: { type: 'string' },
    status: { enum: ['pending', 'running', 'succeeded', 'failed'] },
    attempts: { type: 'integer' },
    error: { type: ['string', 'null'] },
    output: {},
    created_at: { type: 'string', format: 'date-time' },
    started_at: { type: ['string', 'null'], format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
  },
}
const create: JsonSchema = {
  type: 'object',
  required: ['name', 'trigger', 'action'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 120 },
    enabled: { type: 'boolean' },
    trigger,
    action,
  },
}
const change: JsonSchema = { ...create, required: [] }

const security: OperationDoc['security'] = ['tenantUser', 'apiKey', 'platformToken']
const tags = ['Collections: automations']
const base = '/api/v1/admin/collections/:name/automations'
const checks = [E_VALIDATION, E_AUTOMATION_INVALID, E_COLLECTION_NOT_FOUND]

/* Collection automations (docs/collections.md, "Automations"); core.collections.manage. */
describeOperations({
  [`GET ${base}`]: {
    summary: 'Automations of a collection',
    tags,
    security,
    data: arrayOf(automation),
    errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND],
  },
  [`POST ${base}`]: {
    summary: 'Add an automation to a collection',
    description:
      'Checked on save: the fields, collection, role or user it names must exist (422 ERR_AUTOMATION_INVALID with a detail per path). A webhook automation’s answer carries its signing `secret`, shown this once.',
    tags,
    security,
    status: 201,
    location: `/api/v1/admin/collections/{name}/automations/{id}`,
    body: create,
    data: automation,
    errors: [E_FORBIDDEN, ...checks],
  },
  [`GET ${base}/:id`]: {
    summary: 'One automation',
    tags,
    security,
    data: automation,
    errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_AUTOMATION_NOT_FOUND],
  },
  [`PATCH ${base}/:id`]: {
    summary: 'Change an automation (`enabled: false` stops it; its schedule too)',
    tags,
    security,
    body: change,
    data: automation,
    errors: [E_FORBIDDEN, ...checks, E_AUTOMATION_NOT_FOUND],
  },
  [`DELETE ${base}/:id`]: {
    summary: 'Remove an automation with its runs',
    tags,
    security,
    data: {
      type: 'object',
      required: ['id', 'deleted'],
      properties: { id: { type: 'string' }, deleted: { const: true } },
    },
    errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_AUTOMATION_NOT_FOUND],
  },
  [`GET ${base}/:id/runs`]: {
    summary: 'Runs of an automation, newest first (status, attempts, error, output)',
    tags,
    security,
    query: runsQueryValidator,
    paginated: true,
    data: arrayOf(run),
    errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_AUTOMATION_NOT_FOUND],
  },
  [`POST ${base}/:id/runs/:run/retry`]: {
    summary: 'Run a failed run again (a new series of tries, on the same event)',
    tags,
    security,
    status: 202,
    data: run,
    errors: [
      E_FORBIDDEN,
      E_COLLECTION_NOT_FOUND,
      E_AUTOMATION_NOT_FOUND,
      E_AUTOMATION_RUN_NOT_FOUND,
      E_AUTOMATION_RUN_NOT_FAILED,
      E_AUTOMATION_DISABLED,
    ],
  },
})
