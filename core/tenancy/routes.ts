import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const TenantsController = () => import('./tenants_controller.js')
const TenantDomainsController = () => import('./tenant_domains_controller.js')
const TenantInvoicesController = () => import('./tenant_invoices_controller.js')
const TenantProfileController = () => import('./tenant_profile_controller.js')

/** Platform API: tenants, their lifecycle, custom domains and invoices (docs/tenancy.md). */
export function platformTenantRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
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
}

/** Tenant API: the tenant of the request, resolved from its domain, subdomain or X-Tenant-ID. */
export function tenantProfileRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/tenant', [TenantProfileController, 'show'])
    })
    .prefix('/api/v1')
    .use(middleware.tenant())
}
