import { timingSafeEqual, createHash } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import secrets from '#config/secrets'
import { E_AUTH_INVALID_TOKEN, E_AUTH_REQUIRED, E_FORBIDDEN } from '../../errors.js'
import { bearerToken, looksLikeJwt } from '../../auth/guard.js'
import { PLATFORM_ADMIN } from '../../auth/platform_accounts.js'

function digest(value: string) {
  return createHash('sha256').update(value).digest()
}

/**
 * Guards /api/v1/platform routes: the access JWT of a PlatformAdmin (see
 * docs/auth.md), or the static ORYNE_PLATFORM_TOKEN for scripts and `oryne up`.
 */
export default class PlatformTokenMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const token = bearerToken(ctx)
    if (!token) throw new E_AUTH_REQUIRED()
    if (looksLikeJwt(token)) {
      const user = await ctx.auth.use('platform').authenticate()
      if (!user.roles.includes(PLATFORM_ADMIN)) {
        throw new E_FORBIDDEN([`this needs the ${PLATFORM_ADMIN} role`])
      }
      return next()
    }
    const expected = secrets.platformToken()
    // Hashing first makes the comparison constant-time whatever the lengths.
    if (!expected || !timingSafeEqual(digest(token), digest(expected)))
      throw new E_AUTH_INVALID_TOKEN()
    return next()
  }
}
