import type { HttpContext } from '@adonisjs/core/http'
import { identity } from './identity.js'
import {
  changePasswordValidator,
  inviteAcceptValidator,
  passwordResetConfirmValidator,
  passwordResetValidator,
} from './validators.js'
import { respond } from '../http/envelope.js'
import { SessionsController, sessionMeta } from './sessions_controller.js'

/** /api/v1/auth: the users of the tenant the request resolved to. */
export default class TenantAuthController extends SessionsController {
  protected realm = 'tenant' as const

  /** Changes the caller's password; every session ends and a new one is returned. */
  async changePassword(ctx: HttpContext) {
    const input = await changePasswordValidator.validate(ctx.request.body())
    const user = ctx.auth.use('tenant').getUserOrFail()
    respond(
      ctx,
      await identity.tenant.changePassword(
        user,
        input.current_password,
        input.new_password,
        sessionMeta(ctx)
      )
    )
  }

  /** Always 202, whether or not the email has an account: nothing here tells. */
  async requestPasswordReset(ctx: HttpContext) {
    const { email } = await passwordResetValidator.validate(ctx.request.body())
    await identity.tenant.requestPasswordReset(email)
    respond(ctx, { requested: true }, { status: 202 })
  }

  async confirmPasswordReset(ctx: HttpContext) {
    const input = await passwordResetConfirmValidator.validate(ctx.request.body())
    await identity.tenant.confirmPasswordReset(input)
    respond(ctx, { password_changed: true })
  }

  /** Activates an invited user with their chosen password and signs them in. */
  async acceptInvite(ctx: HttpContext) {
    const input = await inviteAcceptValidator.validate(ctx.request.body())
    respond(ctx, await identity.tenant.acceptInvite(input, sessionMeta(ctx)))
  }
}
