import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const WebhooksController = () => import('./webhooks_controller.js')

/** Outbound webhooks (docs/webhooks.md): endpoints, deliveries and redelivery (core.webhooks.manage). */
export function webhookRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/', [WebhooksController, 'index'])
      router.post('/', [WebhooksController, 'store'])
      router.get('/:id', [WebhooksController, 'show'])
      router.patch('/:id', [WebhooksController, 'update'])
      router.delete('/:id', [WebhooksController, 'destroy'])
      router.post('/:id/rotate-secret', [WebhooksController, 'rotateSecret'])
      router.get('/:id/deliveries', [WebhooksController, 'deliveries'])
      router.post('/:id/deliveries/:deliveryId/redeliver', [WebhooksController, 'redeliver'])
    })
    .prefix('/api/v1/admin/webhooks')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}
