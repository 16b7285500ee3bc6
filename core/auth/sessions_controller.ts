import type { HttpContext } from '@adonisjs/core/http'
import { identity } from './identity.js'
import { bearerToken, type AuthRealm } from './guard.js'
import type { SessionMeta } from './types.js'
import {
  loginWithCodeValidator,
  logoutValidator,
  mfaLoginValidator,
  refreshValidator,
} from './validators.js'
import { E_AUTH_REQUIRED } from '../errors.js'
import { respond } from '../http/envelope.js'

export function sessionMeta(ctx: HttpContext): SessionMeta {
  return { ip: ctx.request.ip(), userAgent: ctx.request.header('user-agent') ?? null }
}

/**
 * Sign-in, refresh, sign-out and "who am I" for one realm; the tenant and
 * platform auth controllers are this with their realm.
 */
export abstract class SessionsController {
  protected abstract realm: AuthRealm

  /**
   * The token pair; for a user with MFA on, `{mfa_required, mfa_token}` for
   * the second step instead (or the pair at once when `otp` is sent along).
   */
  async login(ctx: HttpContext) {
    const { email, password, otp } = await loginWithCodeValidator.validate(ctx.request.body())
    respond(ctx, await identity[this.realm].login(email, password, sessionMeta(ctx), otp))
  }

  /** The second sign-in step of a user with MFA on. */
  async loginMfa(ctx: HttpContext) {
    const input = await mfaLoginValidator.validate(ctx.request.body())
    respond(
      ctx,
      await identity[this.realm].completeMfa(input.mfa_token, input.code, sessionMeta(ctx))
    )
  }

  async refresh(ctx: HttpContext) {
    const { refresh_token: token } = await refreshValidator.validate(ctx.request.body())
    respond(ctx, await identity[this.realm].refresh(token))
  }

  /** Ends the session of the refresh token sent, or else the one of the bearer access token. */
  async logout(ctx: HttpContext) {
    const { refresh_token: refreshToken } = await logoutValidator.validate(ctx.request.body())
    if (refreshToken) {
      await identity[this.realm].logout({ refreshToken })
      return respond(ctx, { signed_out: true })
    }
    if (!bearerToken(ctx)) {
      throw new E_AUTH_REQUIRED([], {
        hint: 'Send the refresh token, or the access token as "Authorization: Bearer <token>".',
      })
    }
    const user = await ctx.auth.use(this.realm).authenticate()
    await identity[this.realm].logout({ sessionId: user.sessionId })
    respond(ctx, { signed_out: true })
  }

  async me(ctx: HttpContext) {
    const user = ctx.auth.use(this.realm).getUserOrFail()
    const mfa = await identity[this.realm].mfa.status(user.id)
    respond(ctx, {
      id: user.id,
      email: user.email,
      name: user.name,
      status: user.status,
      roles: user.roles,
      mfa_enabled: mfa.enabled,
      ...(this.realm === 'tenant'
        ? { tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name } }
        : {}),
    })
  }
}
