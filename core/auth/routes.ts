import type { Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../http/route_middleware.js'

const TenantAuthController = () => import('./tenant_auth_controller.js')
const PlatformAuthController = () => import('./platform_auth_controller.js')
const TenantMfaController = () => import('./mfa_controller.js')
const PlatformMfaController = () => import('./platform_mfa_controller.js')
const PersonalDataController = () => import('./personal_data_controller.js')

/** A tenant user's sign-in, session, password, MFA and own data, on their tenant (docs/auth.md). */
export function tenantAuthRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.post('/login', [TenantAuthController, 'login'])
      router.post('/login/mfa', [TenantAuthController, 'loginMfa'])
      router.post('/refresh', [TenantAuthController, 'refresh'])
      router.post('/logout', [TenantAuthController, 'logout'])
      router.post('/password-reset', [TenantAuthController, 'requestPasswordReset'])
      router.post('/password-reset/confirm', [TenantAuthController, 'confirmPasswordReset'])
      router.post('/invite/accept', [TenantAuthController, 'acceptInvite'])
      router
        .group(() => {
          router.get('/me', [TenantAuthController, 'me'])
          router.post('/password', [TenantAuthController, 'changePassword'])
          router.get('/me/export', [PersonalDataController, 'exportOwn'])
          router.get('/mfa', [TenantMfaController, 'show'])
          router.post('/mfa/enroll', [TenantMfaController, 'enroll'])
          router.post('/mfa/confirm', [TenantMfaController, 'confirm'])
          router.post('/mfa/recovery-codes', [TenantMfaController, 'renewRecoveryCodes'])
          router.post('/mfa/disable', [TenantMfaController, 'disable'])
        })
        .use(middleware.auth({ guard: 'tenant' }))
    })
    .prefix('/api/v1/auth')
    .use(middleware.tenant())
}

/** A platform user's sign-in, session and MFA (docs/auth.md). */
export function platformAuthRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.post('/login', [PlatformAuthController, 'login'])
      router.post('/login/mfa', [PlatformAuthController, 'loginMfa'])
      router.post('/refresh', [PlatformAuthController, 'refresh'])
      router.post('/logout', [PlatformAuthController, 'logout'])
      router
        .group(() => {
          router.get('/me', [PlatformAuthController, 'me'])
          router.get('/mfa', [PlatformMfaController, 'show'])
          router.post('/mfa/enroll', [PlatformMfaController, 'enroll'])
          router.post('/mfa/confirm', [PlatformMfaController, 'confirm'])
          router.post('/mfa/recovery-codes', [PlatformMfaController, 'renewRecoveryCodes'])
          router.post('/mfa/disable', [PlatformMfaController, 'disable'])
        })
        .use(middleware.auth({ guard: 'platform' }))
    })
    .prefix('/api/v1/platform/auth')
}
