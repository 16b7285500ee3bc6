import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../../http/route_middleware.js'

export function formRoutes(_router: Router, _middleware: RouteMiddleware) {}

export function publicFormRoutes(_router: Router, _middleware: RouteMiddleware) {}
