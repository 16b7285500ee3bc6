import type { HttpContext, Router } from '@adonisjs/core/http'
// Route#describe (the OpenAPI description of a route).
import '../openapi/operations.js'
import type { OperationDoc } from '../openapi/operations.js'
import type { JsonSchema } from '../openapi/schemas.js'
import {
  E_CONFLICT,
  E_FORBIDDEN,
  E_RECORD_IN_USE,
  E_RECORD_NOT_FOUND,
  E_VALIDATION,
} from '../errors.js'
import { respond } from '../http/envelope.js'
import type { RouteMiddleware } from '../http/route_middleware.js'
import { authorize, type Principal } from '../rbac/authorize.js'
import {
  createCollection,
  deleteCollection,
  presentCollection,
  updateCollection,
} from './collection_admin.js'
import {
  E_COLLECTION_CONFIRM,
  E_COLLECTION_EXISTS,
  E_COLLECTION_IN_USE,
  E_COLLECTION_NOT_FOUND,
  E_COLLECTION_QUOTA,
} from './errors.js'
import { collectionRecords } from './records.js'
import { collectionModel, collectionRow, collectionsOfTenant } from './registry.js'

/*
 * The tenant admin's collections (/api/v1/admin/collections) and the records
 * of each (/api/v1/collections/:name), served by the resource engine.
 */

export const MANAGE = 'core.collections.manage'
const tags = ['Collections']
/** Signed-in users, partner API keys and the platform token; each route checks its permission. */
const security: OperationDoc['security'] = ['tenantUser', 'apiKey', 'platformToken']

/** The definition JSON (docs/collections.md); checked path by path by the server. */
const definitionSchema: JsonSchema = {
  type: 'object',
  required: ['fields'],
  properties: {
    fields: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['type'],
        properties: {
          type: {
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
          label: { type: 'string' },
          description: { type: 'string' },
          required: { type: 'boolean' },
          unique: { type: 'boolean' },
          default: { type: ['string', 'number', 'boolean', 'null'] },
          search: { type: 'boolean' },
          index: { type: 'boolean' },
          min: { type: 'number' },
          max: { type: 'number' },
          values: { type: 'array', items: { type: 'string' } },
          target: { type: 'string' },
          on_delete: { enum: ['restrict', 'cascade', 'set null'] },
          personal: { enum: [true, 'subject'] },
          sensitive: {
            type: 'object',
            required: ['permission'],
            properties: { permission: { type: 'string' }, mode: { enum: ['omit', 'mask'] } },
          },
        },
      },
    },
    title: { type: 'string' },
    owner: {
      type: 'object',
      required: ['field', 'roles'],
      properties: {
        field: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
      },
    },
    privacy: { type: 'object', properties: { erase: { enum: ['redact', 'delete'] } } },
  },
}

const collection: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'label', 'definition', 'version', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    label: { type: 'string' },
    description: { type: ['string', 'null'] },
    table_name: { type: 'string' },
    definition: definitionSchema,
    version: { type: 'integer' },
    created_by: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
}

const newCollection: JsonSchema = {
  type: 'object',
  required: ['name', 'definition'],
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,38}$' },
    label: { type: 'string', maxLength: 120 },
    description: { type: ['string', 'null'], maxLength: 500 },
    definition: definitionSchema,
  },
}

/** Any record of any collection: its id and timestamps, and the collection's own fields. */
const record: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
  additionalProperties: true,
}

const listQuery: JsonSchema = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1 },
    per_page: { type: 'integer', minimum: 1, maximum: 100 },
    cursor: { type: 'string' },
    sort: { type: 'string', description: 'Fields, comma separated; a leading - sorts descending' },
    q: { type: 'string', description: 'Searches the fields flagged search' },
    include: { type: 'string', description: 'Reference fields whose records to embed' },
    fields: { type: 'string', description: 'Only these fields, comma separated' },
  },
}

function origin(ctx: HttpContext, principal: Principal) {
  return { principal, requestId: ctx.request.id() ?? null, ctx }
}

export function collectionAdminRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router
        .get('/', async (ctx) => {
          await authorize(ctx, MANAGE)
          const { list } = await collectionsOfTenant()
          respond(ctx, list.map(presentCollection))
        })
        .describe({
          summary: 'The collections of the institution',
          tags,
          security,
          data: { type: 'array', items: collection },
          errors: [E_FORBIDDEN],
        })
      router
        .post('/', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          const created = await createCollection(ctx.request.body(), origin(ctx, principal))
          respond(ctx, created, {
            status: 201,
            location: `/api/v1/admin/collections/${created.name}`,
          })
        })
        .describe({
          summary: 'Create a collection (its definition and its table)',
          description:
            'The definition (docs/collections.md) is checked path by path; references may point to core.users, to resources of enabled modules and to the institution’s collections. The table `col_<name>` is created in the same transaction as the definition row.',
          tags,
          security,
          body: newCollection,
          data: collection,
          status: 201,
          location: '/api/v1/admin/collections/{name}',
          errors: [E_FORBIDDEN, E_COLLECTION_EXISTS, E_COLLECTION_QUOTA],
        })
      router
        .get('/:name', async (ctx) => {
          await authorize(ctx, MANAGE)
          respond(ctx, presentCollection(await collectionRow(ctx.params.name)))
        })
        .describe({
          summary: 'One collection',
          tags,
          security,
          data: collection,
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND],
        })
      router
        .patch('/:name', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          respond(
            ctx,
            await updateCollection(ctx.params.name, ctx.request.body(), origin(ctx, principal))
          )
        })
        .describe({
          summary: 'Change a collection’s label or description',
          description:
            'Fields change through POST /api/v1/admin/collections/{name}/changes (planned, with a dry run).',
          tags,
          security,
          body: {
            type: 'object',
            properties: {
              label: { type: 'string', maxLength: 120 },
              description: { type: ['string', 'null'], maxLength: 500 },
            },
          },
          data: collection,
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND],
        })
      router
        .delete('/:name', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          respond(
            ctx,
            await deleteCollection(
              ctx.params.name,
              ctx.request.qs().confirm,
              origin(ctx, principal)
            )
          )
        })
        .describe({
          summary: 'Delete a collection (its table is kept as a backup)',
          description:
            'Needs `?confirm=<name>`. The table is renamed to `colbak_<name>_<unix time>` with its rows; the collection’s views, forms and automations are removed.',
          tags,
          security,
          query: {
            type: 'object',
            required: ['confirm'],
            properties: { confirm: { type: 'string', description: 'The collection’s name' } },
          },
          data: {
            type: 'object',
            required: ['name', 'deleted', 'backup_table'],
            properties: {
              name: { type: 'string' },
              deleted: { type: 'boolean' },
              backup_table: { type: 'string' },
            },
          },
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_COLLECTION_CONFIRM, E_COLLECTION_IN_USE],
        })
    })
    .prefix('/api/v1/admin/collections')
    .use([middleware.tenant()])
}

/** The permission an action on a collection's records needs (`collections.<name>.<verb>`). */
async function allowed(ctx: HttpContext, action: 'list' | 'read' | 'create' | 'update' | 'delete') {
  const model = await collectionModel(ctx.params.name)
  const permission = model.permissions[action]
  if (permission === false) throw new E_FORBIDDEN([`records cannot be ${action}d here`])
  return authorize(ctx, permission)
}

export function collectionRecordRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router
        .get('/:name', async (ctx) => {
          const principal = await allowed(ctx, 'list')
          const { data, pagination } = await collectionRecords.list(
            ctx.params.name,
            principal,
            ctx.request.parsedUrl.query
          )
          respond(ctx, data, { pagination })
        })
        .describe({
          summary: 'Records of a collection',
          description:
            'Needs collections.{name}.read. Filters `filter[<field>][<operator>]=<value>`, sort, page or cursor pagination, include and fields work as for every resource (docs/resources.md); the institution’s OpenAPI document lists each collection with its fields.',
          tags,
          security,
          query: listQuery,
          data: { type: 'array', items: record },
          paginated: true,
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND],
        })
      router
        .post('/:name', async (ctx) => {
          const principal = await allowed(ctx, 'create')
          const created = await collectionRecords.create(
            ctx.params.name,
            ctx.request.body(),
            origin(ctx, principal)
          )
          respond(ctx, created, {
            status: 201,
            location: `/api/v1/collections/${ctx.params.name}/${created.id}`,
          })
        })
        .describe({
          summary: 'Create a record in a collection',
          description: 'Needs collections.{name}.create.',
          tags,
          security,
          body: { type: 'object', additionalProperties: true },
          data: record,
          status: 201,
          location: '/api/v1/collections/{name}/{id}',
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_CONFLICT, E_COLLECTION_QUOTA],
        })
      router
        .get('/:name/:id', async (ctx) => {
          const principal = await allowed(ctx, 'read')
          respond(
            ctx,
            await collectionRecords.show(
              ctx.params.name,
              principal,
              ctx.params.id,
              ctx.request.parsedUrl.query
            )
          )
        })
        .describe({
          summary: 'One record of a collection',
          description: 'Needs collections.{name}.read.',
          tags,
          security,
          data: record,
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_RECORD_NOT_FOUND, E_VALIDATION],
        })
      router
        .patch('/:name/:id', async (ctx) => {
          const principal = await allowed(ctx, 'update')
          respond(
            ctx,
            await collectionRecords.update(
              ctx.params.name,
              ctx.params.id,
              ctx.request.body(),
              origin(ctx, principal)
            )
          )
        })
        .describe({
          summary: 'Change a record of a collection',
          description: 'Needs collections.{name}.update.',
          tags,
          security,
          body: { type: 'object', additionalProperties: true },
          data: record,
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_RECORD_NOT_FOUND, E_CONFLICT],
        })
      router
        .delete('/:name/:id', async (ctx) => {
          const principal = await allowed(ctx, 'delete')
          respond(
            ctx,
            await collectionRecords.delete(ctx.params.name, ctx.params.id, origin(ctx, principal))
          )
        })
        .describe({
          summary: 'Delete a record of a collection',
          description: 'Needs collections.{name}.delete.',
          tags,
          security,
          data: {
            type: 'object',
            required: ['id', 'deleted'],
            properties: { id: { type: 'string' }, deleted: { type: 'boolean' } },
          },
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND, E_RECORD_NOT_FOUND, E_RECORD_IN_USE],
        })
    })
    .prefix('/api/v1/collections')
    .use([middleware.tenant()])
}
