import logger from '@adonisjs/core/services/logger'
import { tenantContext } from '../tenancy/context.js'
import type { Tenant } from '../tenancy/types.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { RedisClient } from '../redis/connections.js'

/*
 * The live stream of in-app notifications (GET /api/v1/notifications/stream):
 * whoever stores or reads a notification publishes on the Redis channel of
 * that tenant and user; each API process subscribes to the channels of the
 * streams it holds open. The channel is derived on the server from the
 * signed-in user's tenant and id — a client never names a channel — so a
 * stream can only carry its own user's notifications.
 */

/** What a stream sends: a new notification with the unread count, or the unread count alone. */
export type StreamEvent =
  | { type: 'notification'; notification: Record<string, unknown>; unread: number }
  | { type: 'unread'; unread: number }

type Listener = (event: StreamEvent) => void

const listeners = new Map<string, Set<Listener>>()
let subscriber: Promise<RedisClient> | null = null

function channelOf(tenantId: string, userId: string) {
  return `${process.env.ORYNE_REDIS_PREFIX || 'oryne'}:notifications:stream:${tenantId}:${userId}`
}

async function redisConnections() {
  const { default: redis } = await import('../services/redis.js')
  return redis
}

function dispatch(channel: string, message: string) {
  const set = listeners.get(channel)
  if (!set?.size) return
  let event: StreamEvent
  try {
    event = JSON.parse(message)
  } catch {
    return
  }
  for (const listener of set) listener(event)
}

/** One subscriber connection per process, made on the first stream. */
function connection(): Promise<RedisClient> {
  subscriber ??= redisConnections().then((redis) => {
    const client = redis.create()
    client.on('message', dispatch)
    return client
  })
  return subscriber
}

/** Listens to one user's events until the returned function is called. */
export async function subscribeStream(
  tenantId: string,
  userId: string,
  listener: Listener
): Promise<() => Promise<void>> {
  const channel = channelOf(tenantId, userId)
  let set = listeners.get(channel)
  const first = !set
  if (!set) listeners.set(channel, (set = new Set()))
  set.add(listener)
  const redis = await redisConnections()
  if (redis.configured && first) {
    const client = await connection()
    await client.subscribe(channel)
  }
  return async () => {
    set.delete(listener)
    if (set.size || listeners.get(channel) !== set) return
    listeners.delete(channel)
    if (!redis.configured) return
    const client = await connection()
    // A stream of the same user may have opened meanwhile: it needs the channel.
    if (!listeners.has(channel)) await client.unsubscribe(channel).catch(() => {})
  }
}

async function publish(tenantId: string, userId: string, event: StreamEvent) {
  const channel = channelOf(tenantId, userId)
  const message = JSON.stringify(event)
  const redis = await redisConnections()
  // Without Redis there is one process (development): the streams are all here.
  if (redis.configured) await redis.shared().publish(channel, message)
  else dispatch(channel, message)
}

async function unreadCounts(userIds: string[]) {
  const rows = await withTenantDb((trx) =>
    trx
      .from('notifications')
      .whereIn('user_id', userIds)
      .whereNull('read_at')
      .groupBy('user_id')
      .select('user_id')
      .count('* as unread')
  )
  return new Map(rows.map((row) => [row.user_id as string, Number(row.unread)]))
}

/**
 * Publishes newly stored in-app notifications (rows of `notifications`) to
 * their users' streams, each with the user's unread count. Called once the
 * rows are committed, in a fresh context of their tenant; a failure is logged
 * (the inbox stays the source of truth).
 */
export function publishStored(tenant: Tenant, rows: Array<Record<string, any>>) {
  if (!rows.length) return Promise.resolve()
  return tenantContext
    .run(tenant, async () => {
      const unread = await unreadCounts([...new Set(rows.map((row) => row.user_id as string))])
      for (const row of rows) {
        const { user_id: userId, ...notification } = row
        await publish(tenant.id, userId, {
          type: 'notification',
          notification: {
            ...notification,
            read_at: null,
            created_at: new Date(notification.created_at).toISOString(),
          },
          unread: unread.get(userId) ?? 0,
        })
      }
    })
    .catch((error) =>
      logger.warn({ err: error, tenant_id: tenant.id }, 'notification stream not fed')
    )
}

/** Publishes a user's unread count after they read notifications. */
export function publishUnread(tenant: Tenant, userId: string) {
  return tenantContext
    .run(tenant, async () => {
      const counts = await unreadCounts([userId])
      const unread = counts.get(userId) ?? 0
      await publish(tenant.id, userId, { type: 'unread', unread })
    })
    .catch((error) =>
      logger.warn({ err: error, tenant_id: tenant.id }, 'notification stream not fed')
    )
}

/** Publishes the unread count once the current tenant's open transaction (if any) committed. */
export async function publishUnreadAfterCommit(userId: string) {
  const tenant = tenantContext.require()
  const open = tenantContext.transaction()
  if (open) open.after('commit', () => void publishUnread(tenant, userId))
  else await publishUnread(tenant, userId)
}
