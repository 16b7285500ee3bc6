import app from '@adonisjs/core/services/app'
import { onCoreEvent, type OryneEvent } from '../events/events.js'
import type { Principal } from '../rbac/authorize.js'
import { tenantContext } from '../tenancy/context.js'
import { tenantCacheKey } from '../tenancy/scoping.js'
import type { StatDefinition, StatValue } from './define_stat.js'

/*
 * The dashboard: the statistics of the tenant's modules the caller may see,
 * served from Redis under tenant-scoped keys. Each statistic has a generation
 * counter; an event it declares bumps the counter, so the next read computes
 * afresh. A value computed while a write lands is stored under the old
 * generation and never read again: no stale value outlives an invalidation.
 */

const DEFAULT_TTL_SECONDS = 300
const MAX_TTL_SECONDS = 3600
/** Generations outlive every value (which lasts at most MAX_TTL_SECONDS) by far. */
const GENERATION_TTL_SECONDS = 86_400

type Entry = { key: string; plugin: string; stat: StatDefinition }
type Cached = { value: StatValue; computed_at: string }

async function availableStats(): Promise<Entry[]> {
  const host = await app.container.make('oryne.plugins')
  return host.available().flatMap(({ manifest }) =>
    (manifest.stats ?? []).map((stat) => ({
      key: `${manifest.name}.${stat.name}`,
      plugin: manifest.name,
      stat,
    }))
  )
}

async function enabledStats(): Promise<Entry[]> {
  const host = await app.container.make('oryne.plugins')
  const enabled = await host.enabledNames(tenantContext.require().id)
  const available = await availableStats()
  return available.filter((entry) => enabled.has(entry.plugin))
}

function visibleTo(principal: Principal, stat: StatDefinition) {
  const permissions = Array.isArray(stat.permission) ? stat.permission : [stat.permission]
  return permissions.some((permission) => principal.can(permission))
}

async function redisClient() {
  const redis = await app.container.make('oryne.redis')
  return redis.configured ? redis.shared() : null
}

const generationKey = (key: string) => tenantCacheKey(`dashboard:generation:${key}`)
const valueKey = (key: string, generation: string | null) =>
  tenantCacheKey(`dashboard:value:${key}:${generation ?? '0'}`)

function ttlOf(stat: StatDefinition) {
  return Math.min(MAX_TTL_SECONDS, Math.max(1, Math.floor(stat.ttlSeconds ?? DEFAULT_TTL_SECONDS)))
}

export type DashboardStat = {
  key: string
  plugin: string
  label: string
  description: string | null
  value: StatValue
  computed_at: string
  /** Served from the cache rather than computed for this request. */
  cached: boolean
}

/** The statistics the caller may see, cached values first, the missing ones computed and kept. */
export async function dashboard(principal: Principal): Promise<DashboardStat[]> {
  const tenant = tenantContext.require()
  const enabled = await enabledStats()
  const entries = enabled.filter((entry) => visibleTo(principal, entry.stat))
  if (!entries.length) return []
  const redis = await redisClient()
  const generations = redis
    ? await redis.mget(entries.map((entry) => generationKey(entry.key)))
    : entries.map(() => null)
  const keys = entries.map((entry, index) => valueKey(entry.key, generations[index]))
  const hits = redis ? await redis.mget(keys) : entries.map(() => null)

  return Promise.all(
    entries.map(async (entry, index) => {
      const present = (cached: Cached, fromCache: boolean): DashboardStat => ({
        key: entry.key,
        plugin: entry.plugin,
        label: entry.stat.label,
        description: entry.stat.description ?? null,
        value: cached.value,
        computed_at: cached.computed_at,
        cached: fromCache,
      })
      const hit = hits[index]
      if (hit) return present(JSON.parse(hit) as Cached, true)
      const fresh: Cached = {
        value: await entry.stat.compute({ tenant }),
        computed_at: new Date().toISOString(),
      }
      if (redis) await redis.set(keys[index], JSON.stringify(fresh), 'EX', ttlOf(entry.stat))
      return present(fresh, false)
    })
  )
}

function declares(stat: StatDefinition, event: string) {
  return stat.invalidatedBy.some((pattern) =>
    pattern.endsWith('.*') ? event.startsWith(pattern.slice(0, -1)) : pattern === event
  )
}

/** Moves the statistics an event changes to a new generation, in the event's tenant. */
export async function invalidateStats(event: Pick<OryneEvent, 'name'>) {
  const available = await availableStats()
  const changed = available.filter((entry) => declares(entry.stat, event.name))
  const redis = changed.length ? await redisClient() : null
  if (!redis) return
  const pipeline = redis.multi()
  for (const entry of changed) {
    const key = generationKey(entry.key)
    pipeline.incr(key).expire(key, GENERATION_TTL_SECONDS)
  }
  await pipeline.exec()
}

// Core delivers every event after its transaction commits, in the event's tenant context.
onCoreEvent(() => true, invalidateStats)
