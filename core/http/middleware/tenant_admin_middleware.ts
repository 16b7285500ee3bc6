import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { E_FORBIDDEN } from '../../errors.js'
import { bearerToken, looksLikeJwt } from '../../auth/guard.js'
import PlatformTokenMiddleware from './platform_token_middleware.js'

/**
 * Tenant administration routes: a TenantAdmin of the resolved tenant (access
 * JWT), or the platform token (ORYNE_PLATFORM_TOKEN) acting for the platform.
 */
export default class TenantAdminMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const token = bearerToken(ctx)
    if (!token || !looksLikeJwt(token)) return new PlatformTokenMiddleware().handle(ctx, next)
    const user = await ctx.auth.use('tenant').authenticate()
    if (!user.roles.includes('TenantAdmin'))
      throw new E_FORBIDDEN(['this needs the TenantAdmin role'])
    return next()
  }
}
