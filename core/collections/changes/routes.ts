import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../../http/route_middleware.js'

export function changeRoutes(_router: Router, _middleware: RouteMiddleware) {}
