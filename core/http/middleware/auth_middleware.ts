import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { AuthRealm } from '../../auth/guard.js'

/**
 * Lets through requests carrying a valid access token of the realm's users
 * (`guard: 'tenant'` after the tenant middleware, or `'platform'`); `ctx.auth.user`
 * is then the caller. Refusals are the guard's catalog errors.
 */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { guard: AuthRealm }) {
    await ctx.auth.use(options.guard).authenticate()
    return next()
  }
}
