import type { HttpContext } from '@adonisjs/core/http'
import type { AuthRealm } from './guard.js'
import { identity } from './identity.js'
import { mfaCodeValidator } from './validators.js'
import { respond } from '../http/envelope.js'

/**
 * Two-factor authentication (TOTP) of the signed-in user, under
 * `/api/v1/auth/mfa` (tenant users) and `/api/v1/platform/auth/mfa`.
 */
export abstract class RealmMfaController {
  protected abstract realm: AuthRealm

  /** What authenticator apps show above the code. */
  protected abstract issuer(ctx: HttpContext): string

  #user(ctx: HttpContext) {
    return ctx.auth.use(this.realm).getUserOrFail()
  }

  async show(ctx: HttpContext) {
    respond(ctx, await identity[this.realm].mfa.status(this.#user(ctx).id))
  }

  /** A new secret and its otpauth:// URL (for a QR code); MFA is on once confirmed. */
  async enroll(ctx: HttpContext) {
    const user = this.#user(ctx)
    respond(ctx, await identity[this.realm].mfa.enroll(user, this.issuer(ctx)), { status: 201 })
  }

  /** Turns MFA on with a first code; answers the recovery codes, shown once. */
  async confirm(ctx: HttpContext) {
    const { code } = await mfaCodeValidator.validate(ctx.request.body())
    respond(ctx, await identity[this.realm].mfa.confirm(this.#user(ctx).id, code))
  }

  async renewRecoveryCodes(ctx: HttpContext) {
    const { code } = await mfaCodeValidator.validate(ctx.request.body())
    respond(ctx, await identity[this.realm].mfa.renewRecoveryCodes(this.#user(ctx).id, code))
  }

  /** Turns MFA off; needs a current code (or a recovery code). */
  async disable(ctx: HttpContext) {
    const { code } = await mfaCodeValidator.validate(ctx.request.body())
    respond(ctx, await identity[this.realm].mfa.disable(this.#user(ctx).id, code))
  }
}

export default class TenantMfaController extends RealmMfaController {
  protected realm = 'tenant' as const

  protected issuer(ctx: HttpContext) {
    // A colon would split the otpauth label.
    return `${ctx.tenant.name.replaceAll(':', ' ')} (Oryne)`
  }
}
