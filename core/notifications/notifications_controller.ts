import type { HttpContext } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'
import { tenantContext } from '../tenancy/context.js'
import { listNotifications, markAllRead, markRead, unreadCount } from './inbox.js'
import { preferenceMatrix, setPreferences } from './preferences.js'
import { templatesOf } from './templates.js'
import { inboxQueryValidator, preferencesValidator } from './validators.js'

/** The signed-in user's in-app notifications and preferences (/api/v1/notifications). */
export default class NotificationsController {
  #user(ctx: HttpContext) {
    return ctx.auth.use('tenant').getUserOrFail()
  }

  async index(ctx: HttpContext) {
    const query = await inboxQueryValidator.validate(ctx.request.qs())
    const { data, pagination } = await listNotifications(this.#user(ctx).id, {
      page: query.page ?? 1,
      perPage: query.per_page ?? 20,
      unread: query.unread ?? false,
    })
    respond(ctx, data, { pagination })
  }

  async unreadCount(ctx: HttpContext) {
    respond(ctx, { unread: await unreadCount(this.#user(ctx).id) })
  }

  async read(ctx: HttpContext) {
    respond(ctx, await markRead(this.#user(ctx).id, ctx.params.id))
  }

  async readAll(ctx: HttpContext) {
    respond(ctx, { marked: await markAllRead(this.#user(ctx).id) })
  }

  async preferences(ctx: HttpContext) {
    const templates = await templatesOf(tenantContext.require().id)
    respond(ctx, await preferenceMatrix(this.#user(ctx).id, templates))
  }

  async updatePreferences(ctx: HttpContext) {
    const { preferences } = await preferencesValidator.validate(ctx.request.body())
    const user = this.#user(ctx)
    const templates = await templatesOf(tenantContext.require().id)
    await setPreferences(user.id, preferences, templates)
    respond(ctx, await preferenceMatrix(user.id, templates))
  }
}
