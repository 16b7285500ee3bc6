import logger from '@adonisjs/core/services/logger'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { claim, release, stableJson } from './dedup.js'
import { queueDelivery, type Priority } from './delivery.js'
import { channelsFor } from './preferences.js'
import { assertVariables, findTemplate, renderTemplate } from './templates.js'

export type NotifyInput = {
  /** Users of the current tenant; unknown and disabled ones are skipped. */
  userIds: string[]
  /** `core.<key>` or `<plugin>.<key>` (a template the plugin declares in its manifest). */
  template: string
  /** The template's variables (all of them are required). */
  data?: Record<string, unknown>
  /** `emergency` is delivered first; default `normal`. */
  priority?: Priority
  /**
   * What makes two notifications "the same" for deduplication (per user and
   * template, within ORYNE_NOTIFICATION_DEDUP_SECONDS); default: the data.
   */
  dedupKey?: string
}

export type NotifyResult = {
  /** In-app notifications stored. */
  in_app: number
  /** Messages queued for GNS (email, sms, push). */
  queued: number
  /** Users sent nothing: unknown, disabled, or every channel switched off. */
  skipped: string[]
  /** Users who had the same notification within the window. */
  deduplicated: string[]
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Notifies users of the current tenant: renders the template (with the
 * tenant's overrides), stores the in-app notifications and queues one
 * delivery job per external channel, on the channels each user's preferences
 * allow. Inside a tenant transaction the jobs leave after its commit.
 */
export async function notify(input: NotifyInput): Promise<NotifyResult> {
  const tenant = tenantContext.require()
  const template = await findTemplate(tenant.id, input.template)
  const data = input.data ?? {}
  assertVariables(template, data)
  const priority = input.priority ?? 'normal'
  const discriminator = input.dedupKey ?? stableJson(data)

  const candidates = [...new Set(input.userIds.map(String))]
  const skipped = candidates.filter((id) => !UUID.test(id))
  const fresh: string[] = []
  const deduplicated: string[] = []
  for (const userId of candidates.filter((id) => UUID.test(id))) {
    if (await claim(template.key, userId, discriminator)) fresh.push(userId)
    else deduplicated.push(userId)
  }

  let stored: { inApp: number; deliveries: string[]; skipped: string[] }
  try {
    stored = await withTenantDb(async (trx) => {
      const override = await trx
        .from('notification_template_overrides')
        .where('template', template.key)
        .first()
      const subjectSource = override?.subject ?? template.subject
      const subject = subjectSource ? renderTemplate(subjectSource, data) : null
      const body = renderTemplate(override?.body ?? template.body, data)

      const users = fresh.length
        ? await trx.from('users').whereIn('id', fresh).whereNot('status', 'disabled').select('id')
        : []
      const reachable = users.map((user) => user.id as string)
      const channels = await channelsFor(trx, template, reachable)
      const inApp = reachable.filter((id) => channels.get(id)!.includes('in_app'))
      if (inApp.length) {
        await trx
          .insertQuery()
          .table('notifications')
          .multiInsert(
            inApp.map((userId) => ({
              user_id: userId,
              template: template.key,
              subject,
              body,
              data,
              priority,
            }))
          )
      }
      const external = reachable.flatMap((userId) =>
        channels
          .get(userId)!
          .filter((channel) => channel !== 'in_app')
          .map((channel) => ({
            user_id: userId,
            template: template.key,
            channel,
            priority,
            subject,
            body,
            data,
          }))
      )
      const inserted: Array<{ id: string }> = external.length
        ? await trx
            .insertQuery()
            .table('notification_deliveries')
            .multiInsert(external)
            .returning('id')
        : []
      const deliveries = inserted.map((row) => row.id)
      return {
        inApp: inApp.length,
        deliveries,
        skipped: fresh.filter((id) => !reachable.includes(id) || !channels.get(id)!.length),
      }
    })
  } catch (error) {
    await Promise.all(fresh.map((userId) => release(template.key, userId, discriminator)))
    throw error
  }

  const queue = () => Promise.all(stored.deliveries.map((id) => queueDelivery(id, priority)))
  const open = tenantContext.transaction()
  if (open)
    open.after(
      'commit',
      () =>
        void queue().catch((error) =>
          logger.error({ err: error, tenant_id: tenant.id }, 'notification deliveries not queued')
        )
    )
  else await queue()

  return {
    in_app: stored.inApp,
    queued: stored.deliveries.length,
    skipped: [...skipped, ...stored.skipped],
    deduplicated,
  }
}
