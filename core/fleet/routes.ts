import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const FleetController = () => import('./fleet_controller.js')

/** The fleet's migration state, for platform admins (`oryne migrate status` over HTTP). */
export function fleetRoutes(router: Router, middleware: RouteMiddleware) {
  router.get('/api/v1/platform/fleet', [FleetController, 'show']).use(middleware.platformToken())
}
