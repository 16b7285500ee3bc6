import type { OperationDoc } from '../../openapi/operations.js'
import type { JsonSchema } from '../../openapi/schemas.js'
import { E_FORBIDDEN } from '../../errors.js'
import { E_COLLECTION_NOT_FOUND } from '../errors.js'
import { E_VIEW_EXISTS, E_VIEW_INVALID, E_VIEW_NOT_FOUND } from './errors.js'
import {
  createViewValidator,
  updateViewValidator,
  viewRecordsQuery,
  VIEW_KINDS,
} from './validators.js'

/* OpenAPI descriptions of the collection view routes. */

const tags = ['Collections: views']
const security: OperationDoc['security'] = ['tenantUser', 'apiKey', 'platformToken']
const record: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
}

const view: JsonSchema = {
  type: 'object',
  required: ['id', 'collection', 'name', 'kind', 'config', 'position', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    collection: { type: 'string' },
    name: { type: 'string' },
    kind: { enum: [...VIEW_KINDS] },
    config: { type: 'object' },
    position: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
}

const records: JsonSchema = {
  type: 'object',
  required: ['view'],
  properties: {
    view,
    records: {
      type: 'array',
      items: record,
      description: 'list and gallery: a page of records; calendar: the records between from and to',
    },
    group_by: { type: 'string', description: 'board: the enum field' },
    columns: {
      type: 'array',
      description: 'board: one column per enum value in order, then `value: null` (no value)',
      items: {
        type: 'object',
        required: ['value', 'count', 'records'],
        properties: {
          value: { type: ['string', 'null'] },
          count: { type: 'integer' },
          records: { type: 'array', items: record },
        },
      },
    },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    time_zone: { type: 'string' },
    days: {
      type: 'array',
      description:
        'calendar: the days of the range that have records (in the tenant time zone), each with the ids of its records',
      items: {
        type: 'object',
        required: ['day', 'ids'],
        properties: {
          day: { type: 'string', format: 'date' },
          ids: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    truncated: { type: 'boolean', description: 'calendar: more records than one answer holds' },
  },
}

const adminErrors = [E_FORBIDDEN, E_COLLECTION_NOT_FOUND]

export const viewDocs = {
  adminList: {
    summary: 'The saved views of a collection',
    tags,
    security,
    data: { type: 'array', items: view },
    errors: adminErrors,
  },
  create: {
    summary: 'Save a view of a collection (list, board, calendar or gallery)',
    description:
      'The settings are checked against the collection’s fields: `fields`, `sort` and `filters` (as in exports: `{ status: "open", due_on: { gte: "2026-01-01" } }`) for every kind; a board needs `group_by`, an enum field; a calendar `date_field`, a date or datetime field (and `title_field`); a gallery takes `title_field` and `image_field`, a file field (default: the first). Moving a card on a board is a PATCH of the record’s enum field on the collection’s records route.',
    tags,
    security,
    body: createViewValidator,
    status: 201,
    data: view,
    errors: [...adminErrors, E_VIEW_INVALID, E_VIEW_EXISTS],
  },
  update: {
    summary: 'Change a saved view',
    description: 'A new `config` replaces the old one; the result is checked as when saving.',
    tags,
    security,
    body: updateViewValidator,
    data: view,
    errors: [...adminErrors, E_VIEW_INVALID, E_VIEW_EXISTS, E_VIEW_NOT_FOUND],
  },
  delete: {
    summary: 'Delete a saved view',
    tags,
    security,
    data: {
      type: 'object',
      required: ['id', 'deleted'],
      properties: { id: { type: 'string' }, deleted: { const: true } },
    },
    errors: [...adminErrors, E_VIEW_NOT_FOUND],
  },
  readerList: {
    summary: 'The views of a collection the caller can read',
    tags,
    security,
    data: { type: 'array', items: view },
    errors: adminErrors,
  },
  records: {
    summary: 'The records of a view, as the caller may see them',
    description:
      'Read through the collection’s list with the caller’s permissions, row rules and field visibility. list and gallery: a page of `records` (`page`, `per_page` or `cursor`; `meta.pagination`); board: `columns` in the enum’s order with their `count` and first `per_page` records, then the records without a value; calendar: the `records` between `from` and `to` (days, inclusive, at most 62, in the tenant time zone) and the `days` they fall on, at most 500 records (`truncated` beyond). Every kind takes `search` and `filter[field][op]=value` on top of the view’s filters.',
    tags,
    security,
    query: viewRecordsQuery,
    data: records,
    errors: [...adminErrors, E_VIEW_INVALID, E_VIEW_NOT_FOUND],
  },
} satisfies Record<string, OperationDoc>
