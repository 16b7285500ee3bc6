import type { HttpContext } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'

export default class TenantProfileController {
  /** What a sign-in page needs to brand itself: public facts of the resolved tenant. */
  async show(ctx: HttpContext) {
    const { slug, name, settings } = ctx.tenant
    respond(ctx, { slug, name, settings })
  }
}
