import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../../http/route_middleware.js'
// Route#describe (the OpenAPI description of a route).
import '../../openapi/operations.js'
import { respond } from '../../http/envelope.js'
import { authorize } from '../../rbac/authorize.js'
import { templateDocs } from './openapi.js'
import { collectionTemplate, importCollectionTemplate } from './template.js'

const MANAGE = 'core.collections.manage'

/**
 * Collection templates (docs/collections.md, "Templates"): a collection's
 * design as a document, and a new collection made from one. The CLI's
 * `oryne collection export|import` calls the same service.
 */
export function templateRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router
        .get('/:name/template', async (ctx) => {
          await authorize(ctx, MANAGE)
          respond(ctx, await collectionTemplate(ctx.params.name))
        })
        .describe(templateDocs.export)
      router
        .post('/import', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          const imported = await importCollectionTemplate(ctx.request.body(), {
            principal,
            requestId: ctx.request.id() ?? null,
          })
          respond(ctx, imported, {
            status: 201,
            location: `/api/v1/admin/collections/${imported.collection.name}`,
          })
        })
        .describe(templateDocs.import)
    })
    .prefix('/api/v1/admin/collections')
    .use([middleware.tenant()])
}
