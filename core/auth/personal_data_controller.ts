import type { HttpContext } from '@adonisjs/core/http'
import { personalData } from './personal_data.js'
import { abilities, allow } from '../rbac/abilities.js'
import { actorOf } from '../rbac/authorize.js'
import { respond } from '../http/envelope.js'

/** A user's personal data across core and every enabled plugin: export and erasure. */
export default class PersonalDataController {
  /** GET /admin/users/:id/export (core.personal_data.export). */
  async export(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.exportPersonalData)
    respond(ctx, await personalData.export(ctx.params.id, { actor: actorOf(principal) }))
  }

  /** POST /admin/users/:id/erase (core.personal_data.erase): anonymises the user. */
  async erase(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.erasePersonalData)
    respond(ctx, await personalData.erase(ctx.params.id, { actor: actorOf(principal) }))
  }

  /** GET /auth/me/export: the signed-in user's own data. */
  async exportOwn(ctx: HttpContext) {
    const user = ctx.auth.use('tenant').getUserOrFail()
    respond(ctx, await personalData.export(user.id, { actor: `user:${user.id}` }))
  }
}
