import type { HttpContext } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'
import { actorOf, authorize } from '../rbac/authorize.js'
import { tenantContext } from '../tenancy/context.js'
import { listDeadLetters, retryDeadLetter } from './delivery.js'
import { notify } from './notify.js'
import { listTemplates, removeOverride, setOverride } from './overrides.js'
import { preferenceMatrix, setPreferences } from './preferences.js'
import { templatesOf } from './templates.js'
import {
  pageQueryValidator,
  preferencesValidator,
  sendValidator,
  templateOverrideValidator,
} from './validators.js'

const MANAGE = 'core.notifications.manage'

/** A tenant admin's notification settings, dead letters and announcements (/api/v1/admin/notifications). */
export default class NotificationAdminController {
  async templates(ctx: HttpContext) {
    await authorize(ctx, MANAGE)
    respond(ctx, await listTemplates(tenantContext.require().id))
  }

  async updateTemplate(ctx: HttpContext) {
    const principal = await authorize(ctx, MANAGE)
    const input = await templateOverrideValidator.validate(ctx.request.body())
    respond(
      ctx,
      await setOverride(tenantContext.require().id, ctx.params.key, input, actorOf(principal))
    )
  }

  async resetTemplate(ctx: HttpContext) {
    await authorize(ctx, MANAGE)
    await removeOverride(tenantContext.require().id, ctx.params.key)
    respond(ctx, null)
  }

  async defaults(ctx: HttpContext) {
    await authorize(ctx, MANAGE)
    respond(ctx, await preferenceMatrix(null, await templatesOf(tenantContext.require().id)))
  }

  async updateDefaults(ctx: HttpContext) {
    await authorize(ctx, MANAGE)
    const { preferences } = await preferencesValidator.validate(ctx.request.body())
    const templates = await templatesOf(tenantContext.require().id)
    await setPreferences(null, preferences, templates)
    respond(ctx, await preferenceMatrix(null, templates))
  }

  async deadLetters(ctx: HttpContext) {
    await authorize(ctx, MANAGE)
    const query = await pageQueryValidator.validate(ctx.request.qs())
    const { data, pagination } = await listDeadLetters({
      page: query.page ?? 1,
      perPage: query.per_page ?? 50,
    })
    respond(ctx, data, { pagination })
  }

  async retry(ctx: HttpContext) {
    await authorize(ctx, MANAGE)
    respond(ctx, await retryDeadLetter(ctx.params.id))
  }

  /** Sends a template to users now (announcements, emergencies). */
  async send(ctx: HttpContext) {
    await authorize(ctx, MANAGE)
    const input = await sendValidator.validate(ctx.request.body())
    respond(
      ctx,
      await notify({
        userIds: input.user_ids,
        template: input.template,
        data: input.data ?? {},
        priority: input.priority,
      }),
      { status: 202 }
    )
  }
}
