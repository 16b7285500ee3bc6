import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const NotificationsController = () => import('./notifications_controller.js')
const NotificationAdminController = () => import('./notification_admin_controller.js')
const NotificationStreamController = () => import('./stream_controller.js')

/** The signed-in user's inbox and preferences, and the tenant admin's settings (docs/notifications.md). */
export function notificationRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/', [NotificationsController, 'index'])
      router.get('/unread-count', [NotificationsController, 'unreadCount'])
      router.post('/read-all', [NotificationsController, 'readAll'])
      router.get('/preferences', [NotificationsController, 'preferences'])
      router.put('/preferences', [NotificationsController, 'updatePreferences'])
      router.post('/:id/read', [NotificationsController, 'read'])
    })
    .prefix('/api/v1/notifications')
    .use([middleware.tenant(), middleware.auth({ guard: 'tenant' })])

  router
    .group(() => {
      router.get('/templates', [NotificationAdminController, 'templates'])
      router.put('/templates/:key', [NotificationAdminController, 'updateTemplate'])
      router.delete('/templates/:key', [NotificationAdminController, 'resetTemplate'])
      router.get('/defaults', [NotificationAdminController, 'defaults'])
      router.put('/defaults', [NotificationAdminController, 'updateDefaults'])
      router.get('/dead-letters', [NotificationAdminController, 'deadLetters'])
      router.post('/dead-letters/:id/retry', [NotificationAdminController, 'retry'])
      router.post('/send', [NotificationAdminController, 'send'])
    })
    .prefix('/api/v1/admin/notifications')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}

/** The signed-in user's live stream of in-app notifications (server-sent events). */
export function notificationStreamRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .get('/api/v1/notifications/stream', [NotificationStreamController, 'stream'])
    .use([middleware.tenant(), middleware.auth({ guard: 'tenant' })])
}
