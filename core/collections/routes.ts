import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'
import { collectionAdminRoutes, collectionRecordRoutes } from './collection_routes.js'
import { changeRoutes } from './changes/routes.js'
import { viewRoutes } from './views/routes.js'
import { formRoutes, publicFormRoutes } from './forms/routes.js'
import { automationRoutes } from './automations/routes.js'
import { templateRoutes } from './templates/routes.js'

/*
 * Tenant collections (docs/collections.md): resources a tenant admin defines
 * at run time, served by the resource engine. Each part mounts its own routes.
 */
export function collectionRoutes(router: Router, middleware: RouteMiddleware) {
  collectionAdminRoutes(router, middleware)
  changeRoutes(router, middleware)
  viewRoutes(router, middleware)
  formRoutes(router, middleware)
  publicFormRoutes(router, middleware)
  automationRoutes(router, middleware)
  templateRoutes(router, middleware)
  collectionRecordRoutes(router, middleware)
}
