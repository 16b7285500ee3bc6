/*
 * Core routes. Plugin routes are mounted under /api/v1/<plugin> by the plugin host.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const HealthController = () => import('#core/http/controllers/health_controller')
const MetricsController = () => import('#core/http/controllers/metrics_controller')
const QueuesController = () => import('#core/http/controllers/queues_controller')

router.get('/health/live', [HealthController, 'live'])
router.get('/health/ready', [HealthController, 'ready'])
router.get('/metrics', [MetricsController, 'show'])

router
  .group(() => {
    router.get('/queues', [QueuesController, 'index'])
    router.get('/queues/:queue/failed', [QueuesController, 'failed'])
    router.post('/queues/:queue/jobs/:id/retry', [QueuesController, 'retry'])
  })
  .prefix('/api/v1/platform')
  .use(middleware.platformToken())
