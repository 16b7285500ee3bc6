/*
 * Core routes. Plugin routes are mounted under /api/v1/<plugin> by the plugin host.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const HealthController = () => import('#core/http/controllers/health_controller')
const MetricsController = () => import('#core/http/controllers/metrics_controller')
const QueuesController = () => import('#core/http/controllers/queues_controller')
const TenantsController = () => import('#core/http/controllers/platform/tenants_controller')
const TenantDomainsController = () =>
  import('#core/http/controllers/platform/tenant_domains_controller')
const TenantInvoicesController = () =>
  import('#core/http/controllers/platform/tenant_invoices_controller')
const TenantProfileController = () =>
  import('#core/http/controllers/tenant/tenant_profile_controller')
const UsersController = () => import('#core/http/controllers/tenant/users_controller')

router.get('/health/live', [HealthController, 'live'])
router.get('/health/ready', [HealthController, 'ready'])
router.get('/metrics', [MetricsController, 'show'])

/* Platform API: platform admins, across tenants. */
router
  .group(() => {
    router.get('/queues', [QueuesController, 'index'])
    router.get('/queues/:queue/failed', [QueuesController, 'failed'])
    router.post('/queues/:queue/jobs/:id/retry', [QueuesController, 'retry'])

    router.get('/tenants', [TenantsController, 'index'])
    router.post('/tenants', [TenantsController, 'store'])
    router.get('/tenants/:slug', [TenantsController, 'show'])
    router.patch('/tenants/:slug', [TenantsController, 'update'])
    router.delete('/tenants/:slug', [TenantsController, 'destroy'])
    router
      .post('/tenants/:slug/:action', [TenantsController, 'transition'])
      .where('action', /^(suspend|resume|archive|restore|retry)$/)
    router.post('/tenants/:slug/domains', [TenantDomainsController, 'store'])
    router.delete('/tenants/:slug/domains/:domain', [TenantDomainsController, 'destroy'])
    router.get('/tenants/:slug/invoices', [TenantInvoicesController, 'index'])
    router.post('/tenants/:slug/invoices', [TenantInvoicesController, 'store'])
    router.post('/tenants/:slug/invoices/:number/pay', [TenantInvoicesController, 'pay'])
  })
  .prefix('/api/v1/platform')
  .use(middleware.platformToken())

/* Tenant API: resolved from the domain, subdomain or X-Tenant-ID. */
router
  .group(() => {
    router.get('/tenant', [TenantProfileController, 'show'])
    // Guarded by the platform token until tenant users and JWTs land (identity issue).
    router.get('/admin/users', [UsersController, 'index']).use(middleware.platformToken())
  })
  .prefix('/api/v1')
  .use(middleware.tenant())
