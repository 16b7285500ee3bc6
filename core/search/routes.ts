import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const SearchController = () => import('./search_controller.js')

/** Search across the tenant's searchable resources (docs/search.md). */
export function searchRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .get('/api/v1/search', [SearchController, 'index'])
    .use([middleware.tenant(), middleware.tenantAdmin()])
}
