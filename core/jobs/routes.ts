import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const QueuesController = () => import('./queues_controller.js')

/** Queue health and failed jobs, for platform admins (and the admin console). */
export function queuesRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/queues', [QueuesController, 'index'])
      router.get('/queues/:queue/failed', [QueuesController, 'failed'])
      router.post('/queues/:queue/jobs/:id/retry', [QueuesController, 'retry'])
    })
    .prefix('/api/v1/platform')
    .use(middleware.platformToken())
}
