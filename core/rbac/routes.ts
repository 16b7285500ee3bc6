import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const UsersController = () => import('./users_controller.js')
const RolesController = () => import('./roles_controller.js')
const ApiKeysController = () => import('./api_keys_controller.js')
const AuditController = () => import('./audit_controller.js')
const PersonalDataController = () => import('../auth/personal_data_controller.js')

/**
 * Tenant administration of who may do what (docs/auth.md): users and their
 * personal data, roles and permissions, partner API keys, the audit log. A
 * tenant user's access token, a partner API key or the platform token; each
 * action checks its permission (TenantAdmin holds them all).
 */
export function accessAdminRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/users', [UsersController, 'index'])
      router.post('/users', [UsersController, 'store'])
      router.get('/users/:id', [UsersController, 'show'])
      router.patch('/users/:id', [UsersController, 'update'])
      router.put('/users/:id/roles', [UsersController, 'setRoles'])
      router.post('/users/:id/disable', [UsersController, 'disable'])
      router.post('/users/:id/enable', [UsersController, 'enable'])
      router.delete('/users/:id/mfa', [UsersController, 'resetMfa'])
      router.get('/users/:id/export', [PersonalDataController, 'export'])
      router.post('/users/:id/erase', [PersonalDataController, 'erase'])
      router.get('/roles', [RolesController, 'index'])
      router.post('/roles', [RolesController, 'store'])
      router.get('/roles/:name', [RolesController, 'show'])
      router.patch('/roles/:name', [RolesController, 'update'])
      router.delete('/roles/:name', [RolesController, 'destroy'])
      router.get('/permissions', [RolesController, 'permissions'])
      router.get('/api-keys', [ApiKeysController, 'index'])
      router.post('/api-keys', [ApiKeysController, 'store'])
      router.get('/api-keys/:id', [ApiKeysController, 'show'])
      router.delete('/api-keys/:id', [ApiKeysController, 'revoke'])
      router.get('/audit', [AuditController, 'index'])
    })
    .prefix('/api/v1/admin')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}
