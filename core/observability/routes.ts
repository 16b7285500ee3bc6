import type { Router } from '@adonisjs/core/http'

const MetricsController = () => import('./metrics_controller.js')

/** Prometheus metrics of this process. */
export function metricsRoutes(router: Router) {
  router.get('/metrics', [MetricsController, 'show'])
}
