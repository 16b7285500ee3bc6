import type { Router } from '@adonisjs/core/http'

const HealthController = () => import('./health_controller.js')

/** Liveness and readiness probes of this process (docs/operations.md). */
export function healthRoutes(router: Router) {
  router.get('/health/live', [HealthController, 'live'])
  router.get('/health/ready', [HealthController, 'ready'])
}
