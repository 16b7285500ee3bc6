import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const PlatformPluginsController = () => import('./platform_plugins_controller.js')
const TenantPluginsController = () => import('./tenant_plugins_controller.js')
const PluginCatalogController = () => import('./plugin_catalog_controller.js')

/** Platform API: installed plugins, and each tenant's, enabled and disabled by platform admins. */
export function platformPluginRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/plugins', [PlatformPluginsController, 'index'])
      router.get('/tenants/:slug/plugins', [PlatformPluginsController, 'forTenant'])
      router.post('/tenants/:slug/plugins/:name/enable', [PlatformPluginsController, 'enable'])
      router.post('/tenants/:slug/plugins/:name/disable', [PlatformPluginsController, 'disable'])
    })
    .prefix('/api/v1/platform')
    .use(middleware.platformToken())
}

/** Tenant administration: the institution's modules and their settings (core.plugins.manage). */
export function tenantPluginRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/plugins', [TenantPluginsController, 'index'])
      router.post('/plugins/:name/enable', [TenantPluginsController, 'enable'])
      router.post('/plugins/:name/disable', [TenantPluginsController, 'disable'])
      router.get('/plugins/:name/settings', [TenantPluginsController, 'settings'])
      router.patch('/plugins/:name/settings', [TenantPluginsController, 'updateSettings'])
    })
    .prefix('/api/v1/admin')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}

/** The module catalog and an uninstall's dry run, for the admin console (docs/console.md). */
export function pluginCatalogRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/plugins/catalog', [PluginCatalogController, 'index'])
      router.get('/plugins/:name/uninstall-plan', [PluginCatalogController, 'uninstallPlan'])
    })
    .prefix('/api/v1/admin')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}
