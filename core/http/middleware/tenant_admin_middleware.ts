import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { principalOf } from '../../rbac/authorize.js'

/**
 * Tenant administration routes (after the tenant middleware): the caller must
 * be someone of this tenant — a user's access token, a partner API key — or
 * the platform token. What each may do is checked per action by its
 * permission (core/rbac/abilities.ts); TenantAdmin holds every one.
 */
export default class TenantAdminMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    await principalOf(ctx)
    return next()
  }
}
