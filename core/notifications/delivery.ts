import type { Logger } from '@adonisjs/core/logger'
import { defineJob } from '../jobs/define_job.js'
import { E_NOTIFICATION_DELIVERY_NOT_FOUND } from '../errors.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { notificationConfig } from './config.js'
import { GnsSendError, sendThroughGns } from './gns.js'

export const PRIORITIES = ['emergency', 'high', 'normal', 'low'] as const
export type Priority = (typeof PRIORITIES)[number]

/** bull: 1 is served first. */
const QUEUE_PRIORITY: Record<Priority, number> = { emergency: 1, high: 2, normal: 3, low: 4 }

/**
 * Sends one delivery (a row of notification_deliveries) through GNS. Retries
 * are scheduled here rather than by bull, so that the number of tries and the
 * backoff follow the current settings and the last failure lands in the
 * tenant's dead-letter list, where its admin sees and retries it.
 */
export const deliverNotificationJob = defineJob<{ delivery_id: string }>({
  name: 'core.notification_deliver',
  queue: 'notifications',
  attempts: 1,
  concurrency: 5,
  handle: (data, context) => deliver(data.delivery_id, context.logger),
})

/** Queues a try of a delivery (the job carries the current tenant). */
export async function queueDelivery(id: string, priority: Priority, delay = 0) {
  const { default: jobs } = await import('../services/jobs.js')
  await jobs.dispatch(
    deliverNotificationJob,
    { delivery_id: id },
    { priority: QUEUE_PRIORITY[priority], delay }
  )
}

async function deliver(id: string, logger: Logger) {
  const tenant = tenantContext.require()
  const delivery = await withTenantDb((trx) =>
    trx
      .from('notification_deliveries as d')
      .join('users as u', 'u.id', 'd.user_id')
      .where('d.id', id)
      .whereIn('d.status', ['queued', 'retrying'])
      .select('d.*', 'u.email', 'u.name as user_name')
      .first()
  )
  if (!delivery) return { skipped: 'not pending' }
  const attempts = delivery.attempts + 1
  const payload = {
    tenant_id: tenant.id,
    user_id: delivery.user_id,
    channel: delivery.channel,
    template: delivery.template,
    data: delivery.data,
    priority: delivery.priority,
    subject: delivery.subject,
    body: delivery.body,
    recipient: { email: delivery.email, name: delivery.user_name ?? null },
  }
  const update = (changes: Record<string, unknown>) =>
    withTenantDb((trx) =>
      trx
        .from('notification_deliveries')
        .where('id', id)
        .update({ ...changes, attempts, updated_at: new Date() })
    )
  try {
    const sent = await sendThroughGns(payload)
    if (!sent) {
      // No GNS configured (development): say so, with the content outside production.
      logger.info(
        {
          template: delivery.template,
          channel: delivery.channel,
          user_id: delivery.user_id,
          ...(process.env.NODE_ENV === 'production' ? {} : { data: delivery.data }),
        },
        'notification not sent: GNS_API_URL is not set'
      )
      await update({ status: 'skipped', last_error: 'GNS_API_URL is not set' })
      return { skipped: 'no GNS' }
    }
    await update({ status: 'sent', sent_at: new Date(), last_error: null })
    return { sent: sent.id }
  } catch (error) {
    const message = (error as Error).message
    const retryable = !(error instanceof GnsSendError) || error.retryable
    if (retryable && attempts < notificationConfig.attempts()) {
      const delay = notificationConfig.backoffMs() * 2 ** (attempts - 1)
      await update({ status: 'retrying', last_error: message })
      await queueDelivery(id, delivery.priority, delay)
      logger.warn(
        { delivery_id: id, attempts, retry_in_ms: delay, err: message },
        'notification retry'
      )
      return { retrying: attempts }
    }
    await update({ status: 'dead', dead_at: new Date(), last_error: message })
    logger.error({ delivery_id: id, attempts, err: message }, 'notification dead-lettered')
    return { dead: attempts }
  }
}

/** The tenant's dead letters, newest first (content left out: it may carry codes meant for one person). */
export async function listDeadLetters(options: { page: number; perPage: number }) {
  return withTenantDb(async (trx) => {
    const query = trx.from('notification_deliveries').where('status', 'dead')
    const [{ total }] = await query.clone().count('* as total')
    const rows = await query
      .orderBy('dead_at', 'desc')
      .offset((options.page - 1) * options.perPage)
      .limit(options.perPage)
      .select(
        'id',
        'user_id',
        'template',
        'channel',
        'priority',
        'attempts',
        'last_error',
        'created_at',
        'dead_at'
      )
    const count = Number(total)
    return {
      data: rows.map((row) => ({
        ...row,
        created_at: new Date(row.created_at).toISOString(),
        dead_at: new Date(row.dead_at).toISOString(),
      })),
      pagination: {
        page: options.page,
        per_page: options.perPage,
        total: count,
        last_page: Math.max(1, Math.ceil(count / options.perPage)),
      },
    }
  })
}

/** Queues a dead letter again, with a fresh set of tries. */
export async function retryDeadLetter(id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new E_NOTIFICATION_DELIVERY_NOT_FOUND([id])
  const row = await withTenantDb(async (trx) => {
    const [updated] = await trx
      .from('notification_deliveries')
      .where({ id, status: 'dead' })
      .update({ status: 'queued', attempts: 0, dead_at: null, updated_at: new Date() })
      .returning(['id', 'priority'])
    return updated
  })
  if (!row) throw new E_NOTIFICATION_DELIVERY_NOT_FOUND([id])
  await queueDelivery(id, row.priority)
  return { id, status: 'queued' }
}
