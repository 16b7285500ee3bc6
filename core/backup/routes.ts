import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const BackupsController = () => import('./backups_controller.js')

/** The institution's backups for its admins (core.backups.manage; docs/console.md). */
export function backupRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/backups', [BackupsController, 'index'])
      router.get('/backups/:id/download', [BackupsController, 'download'])
      router.post('/backups/:id/restore-request', [BackupsController, 'requestRestore'])
    })
    .prefix('/api/v1/admin')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}
