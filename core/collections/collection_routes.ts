import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

export function collectionAdminRoutes(_router: Router, _middleware: RouteMiddleware) {}

export function collectionRecordRoutes(_router: Router, _middleware: RouteMiddleware) {}
