import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const UploadsController = () => import('./uploads_controller.js')
const FilesController = () => import('./files_controller.js')

/** Presigned uploads, the storage quota and tenant files (docs/storage.md). */
export function storageRoutes(router: Router, middleware: RouteMiddleware) {
  /*
   * Presigned uploads and the storage quota (docs/storage.md); the fs driver's PUT is authorised by its
   * signature. Registered before /api/v1/files/:id, which would take /files/usage.
   */
  router
    .group(() => {
      router.post('/uploads', [UploadsController, 'store'])
      router.get('/uploads/:id', [UploadsController, 'show'])
      router.post('/uploads/:id/confirm', [UploadsController, 'confirm'])
      router.get('/files/usage', [UploadsController, 'usage'])
    })
    .prefix('/api/v1')
    .use([middleware.tenant(), middleware.tenantAdmin()])
  router.put('/api/v1/uploads/:id/content', [UploadsController, 'content']).use(middleware.tenant())

  /* Tenant files (docs/storage.md); a download is authorised by its signed link alone. */
  router
    .group(() => {
      router.post('/', [FilesController, 'store'])
      router.get('/:id', [FilesController, 'show'])
      router.delete('/:id', [FilesController, 'destroy'])
    })
    .prefix('/api/v1/files')
    .use([middleware.tenant(), middleware.tenantAdmin()])
  router.get('/api/v1/files/:id/download', [FilesController, 'download']).use(middleware.tenant())
}
