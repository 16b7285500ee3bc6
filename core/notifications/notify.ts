import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { claim, release, stableJson } from './dedup.js'
import { queueDelivery, type Priority } from './delivery.js'
import { publishStored } from './stream.js'
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
  /**
   * Sends it at most once ever per user, template and this key (e.g.
   * `<invoice id>:<date>` for one reminder per invoice per day), enforced by a
   * unique key in the tenant's schema: concurrent senders cannot both send.
   * Users who already had it are listed in `deduplicated`.
   */
  once?: string
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

  let stored: {
    inApp: number
    inAppRows: Array<Record<string, any>>
    deliveries: string[]
    skipped: string[]
    repeated: string[]
  }
  try {
    stored = await withTenantDb(async (trx) => {
      const override = await trx
        .from('notification_template_overrides')
        .where('template', template.key)
        .first()
      const subjectSource = override?.subject ?? template.subject
      const subject = subjectSource ? renderTemplate(subjectSource, data) : null
      const body = renderTemplate(override?.body ?? template.body, data)

      const allowed = input.once ? await claimOnce(trx, template.key, fresh, input.once) : fresh
      const users = allowed.length
        ? await trx.from('users').whereIn('id', allowed).whereNot('status', 'disabled').select('id')
        : []
      const reachable = users.map((user) => user.id as string)
      const channels = await channelsFor(trx, template, reachable)
      const inApp = reachable.filter((id) => channels.get(id)!.includes('in_app'))
      // Returned for the live stream (stream.ts), published once committed.
      const inAppRows: Array<Record<string, any>> = []
      if (inApp.length) {
        const rows = await trx
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
          .returning([
            'id',
            'user_id',
            'template',
            'subject',
            'body',
            'data',
            'priority',
            'created_at',
          ])
        inAppRows.push(...rows)
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
        inAppRows,
        deliveries,
        skipped: allowed.filter((id) => !reachable.includes(id) || !channels.get(id)!.length),
        repeated: fresh.filter((id) => !allowed.includes(id)),
      }
    })
  } catch (error) {
    await Promise.all(fresh.map((userId) => release(template.key, userId, discriminator)))
    throw error
  }

  const queue = () => Promise.all(stored.deliveries.map((id) => queueDelivery(id, priority)))
  const open = tenantContext.transaction()
  if (open) {
    open.after(
      'commit',
      () =>
        void queue().catch((error) =>
          logger.error({ err: error, tenant_id: tenant.id }, 'notification deliveries not queued')
        )
    )
    open.after('commit', () => void publishStored(tenant, stored.inAppRows))
  } else {
    await queue()
    await publishStored(tenant, stored.inAppRows)
  }

  return {
    in_app: stored.inApp,
    queued: stored.deliveries.length,
    skipped: [...skipped, ...stored.skipped],
    deduplicated: [...deduplicated, ...stored.repeated],
  }
}

/**
 * The users (of `userIds`) who have not had `template` with this `once` key:
 * their rows are inserted now, in the notification's transaction, so a
 * concurrent sender waits on the key and then skips them.
 */
async function claimOnce(
  trx: TransactionClientContract,
  template: string,
  userIds: string[],
  key: string
): Promise<string[]> {
  if (!userIds.length) return []
  const { rows } = await trx.rawQuery(
    `INSERT INTO notification_once (template, user_id, key)
     SELECT ?, u.id, ? FROM users u WHERE u.id = ANY(?::uuid[])
     ON CONFLICT DO NOTHING
     RETURNING user_id`,
    [template, key.slice(0, 200), userIds] as any[]
  )
  return (rows as Array<{ user_id: string }>).map((row) => row.user_id)
}
