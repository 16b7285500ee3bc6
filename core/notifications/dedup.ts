import { createHash } from 'node:crypto'
import { plainPrefix } from '../redis/keys.js'
import { tenantCacheKey } from '../tenancy/scoping.js'
import { notificationConfig } from './config.js'

/** Without Redis (one process, development), the claims live in memory. */
const local = new Map<string, number>()

function keyOf(template: string, userId: string, discriminator: string) {
  const digest = createHash('sha256')
    .update(`${template}\u0000${userId}\u0000${discriminator}`)
    .digest('hex')
  // The tenant id is in the key: one tenant's notifications never silence another's.
  return `${plainPrefix()}:${tenantCacheKey(`notify:dedup:${digest}`)}`
}

/** The same JSON for the same data, whatever the key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1
    )
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * Claims "this notification for this user" for the dedup window: true the
 * first time, false when the same one was already sent within the window.
 */
export async function claim(template: string, userId: string, discriminator: string) {
  const key = keyOf(template, userId, discriminator)
  const seconds = notificationConfig.dedupSeconds()
  const { default: redis } = await import('../services/redis.js')
  if (redis.configured) {
    return (await redis.shared().set(key, '1', 'EX', seconds, 'NX')) === 'OK'
  }
  const now = Date.now()
  if ((local.get(key) ?? 0) > now) return false
  local.set(key, now + seconds * 1000)
  return true
}

/** Gives a claim back (the notification was not stored after all). */
export async function release(template: string, userId: string, discriminator: string) {
  const key = keyOf(template, userId, discriminator)
  const { default: redis } = await import('../services/redis.js')
  if (redis.configured) await redis.shared().del(key)
  else local.delete(key)
}
