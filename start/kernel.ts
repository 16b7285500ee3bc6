/*
 * HTTP middleware. Server middleware run for every request, matched or not;
 * router middleware only for requests that matched a route.
 */
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#core/http/exception_handler'))

server.use([
  () => import('#core/http/middleware/observe_request_middleware'),
  () => import('#core/http/middleware/security_headers_middleware'),
  () => import('@adonisjs/cors/cors_middleware'),
])

// Test runs compare every answer with the OpenAPI document (docs/api.md, "The contract is checked").
if (process.env.ORYNE_CONFORMANCE === '1' && process.env.NODE_ENV === 'test') {
  server.use([() => import('#core/http/middleware/conformance_middleware')])
}

router.use([
  () => import('#core/http/middleware/body_parser_middleware'),
  () => import('#core/http/middleware/refuse_nul_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#core/http/middleware/rate_limit_middleware'),
])

export const middleware = router.named({
  platformToken: () => import('#core/http/middleware/platform_token_middleware'),
  tenant: () => import('#core/http/middleware/tenant_middleware'),
  auth: () => import('#core/http/middleware/auth_middleware'),
  tenantAdmin: () => import('#core/http/middleware/tenant_admin_middleware'),
  pluginEnabled: () => import('#core/http/middleware/plugin_enabled_middleware'),
})
