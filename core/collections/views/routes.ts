import type { HttpContext, Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../../http/route_middleware.js'
// Route#describe (the OpenAPI description of a route).
import '../../openapi/operations.js'
import { respond } from '../../http/envelope.js'
import { actorOf, authorize, principalOf } from '../../rbac/authorize.js'
import { collectionModel } from '../registry.js'
import { viewDocs } from './openapi.js'
import { createView, deleteView, listViews, updateView, viewRecords } from './service.js'
import { createViewValidator, updateViewValidator } from './validators.js'

const MANAGE = 'core.collections.manage'

/** A reader of a collection: who may list its records may read its views. */
async function reader(ctx: HttpContext) {
  // Who asks first (401 before anything about the collection is told), then what it is.
  await principalOf(ctx)
  const model = await collectionModel(ctx.params.name)
  return authorize(ctx, model.permissions.list || `${model.key}.read`)
}

/**
 * Saved views of a collection (docs/collections.md, "Views"): the admin's
 * CRUD, and the readers' list of views and records of one. Moving a card on a
 * board is a PATCH of the record on /api/v1/collections/:name/:id.
 */
export function viewRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router
        .get('/', async (ctx) => {
          await authorize(ctx, MANAGE)
          respond(ctx, await listViews(ctx.params.name))
        })
        .describe(viewDocs.adminList)
      router
        .post('/', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          const input = await createViewValidator.validate(ctx.request.body())
          respond(ctx, await createView(ctx.params.name, input, actorOf(principal)), {
            status: 201,
          })
        })
        .describe(viewDocs.create)
      router
        .patch('/:id', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          const input = await updateViewValidator.validate(ctx.request.body())
          respond(ctx, await updateView(ctx.params.name, ctx.params.id, input, actorOf(principal)))
        })
        .describe(viewDocs.update)
      router
        .delete('/:id', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          respond(ctx, await deleteView(ctx.params.name, ctx.params.id, actorOf(principal)))
        })
        .describe(viewDocs.delete)
    })
    .prefix('/api/v1/admin/collections/:name/views')
    .use([middleware.tenant()])

  router
    .group(() => {
      router
        .get('/', async (ctx) => {
          await reader(ctx)
          respond(ctx, await listViews(ctx.params.name))
        })
        .describe(viewDocs.readerList)
      router
        .get('/:id/records', async (ctx) => {
          const principal = await reader(ctx)
          const { data, pagination } = await viewRecords(
            ctx.params.name,
            ctx.params.id,
            principal,
            ctx.request.parsedUrl.query
          )
          respond(ctx, data, { pagination })
        })
        .describe(viewDocs.records)
    })
    .prefix('/api/v1/collections/:name/views')
    .use([middleware.tenant()])
}
