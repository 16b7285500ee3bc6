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
const PluginsController = () => import('#core/http/controllers/platform/plugins_controller')
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
    router.get('/plugins', [PluginsController, 'index'])
    router.get('/tenants/:slug/plugins', [PluginsController, 'forTenant'])
    router.post('/tenants/:slug/plugins/:name/enable', [PluginsController, 'enable'])
    router.post('/tenants/:slug/plugins/:name/disable', [PluginsController, 'disable'])
  })
  .prefix('/api/v1/platform')
  .use(middleware.platformToken())

/* Tenant API: resolved from the domain, subdomain or X-Tenant-ID. */
router
  .group(() => {
    router.get('/tenant', [TenantProfileController, 'show'])
    // A TenantAdmin's access token, or the platform token.
    router.get('/admin/users', [UsersController, 'index']).use(middleware.tenantAdmin())
  })
  .prefix('/api/v1')
  .use(middleware.tenant())

/* Identity: tenant users sign in on their tenant, platform users on the platform (docs/auth.md). */
const TenantAuthController = () => import('#core/http/controllers/auth/tenant_auth_controller')
const PlatformAuthController = () => import('#core/http/controllers/auth/platform_auth_controller')

router
  .group(() => {
    router.post('/login', [TenantAuthController, 'login'])
    router.post('/refresh', [TenantAuthController, 'refresh'])
    router.post('/logout', [TenantAuthController, 'logout'])
    router.post('/password-reset', [TenantAuthController, 'requestPasswordReset'])
    router.post('/password-reset/confirm', [TenantAuthController, 'confirmPasswordReset'])
    router.post('/invite/accept', [TenantAuthController, 'acceptInvite'])
    router
      .group(() => {
        router.get('/me', [TenantAuthController, 'me'])
        router.post('/password', [TenantAuthController, 'changePassword'])
      })
      .use(middleware.auth({ guard: 'tenant' }))
  })
  .prefix('/api/v1/auth')
  .use(middleware.tenant())

router
  .group(() => {
    router.post('/login', [PlatformAuthController, 'login'])
    router.post('/refresh', [PlatformAuthController, 'refresh'])
    router.post('/logout', [PlatformAuthController, 'logout'])
    router.get('/me', [PlatformAuthController, 'me']).use(middleware.auth({ guard: 'platform' }))
  })
  .prefix('/api/v1/platform/auth')
