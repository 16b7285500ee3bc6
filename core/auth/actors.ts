import type { HttpContext } from '@adonisjs/core/http'

/**
 * Who made a platform API call, for the tenant history: the signed-in
 * platform admin (`platform_user:<id>`), or `platform:token` for scripts using
 * ORYNE_PLATFORM_TOKEN. The platform middleware has authenticated by then.
 */
export function platformActor(ctx: HttpContext) {
  const guard = ctx.auth.use('platform')
  return guard.isAuthenticated && guard.user ? `platform_user:${guard.user.id}` : 'platform:token'
}
