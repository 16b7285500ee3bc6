import app from '@adonisjs/core/services/app'
import { LRUCache } from 'lru-cache'

/** What a process keeps per tenant: each kind is invalidated on its own. */
export type CacheKind =
  | 'registry'
  | 'permissions'
  | 'custom_fields'
  | 'webhook_endpoints'
  | 'plugins'
  | 'plugin_settings'
  | 'collections'

/** Entries not tied to one tenant (the registry's look-ups by slug and domain). */
export const PLATFORM_SCOPE = '*'

export type TenantCacheOptions = {
  /** Upper bound of the cache's estimated size; least recently used entries go first. */
  maxBytes: number
  /** How long an entry lives when its kind gives no lifetime of its own. */
  ttlMs: number
}

type Scope = { tenantId?: string; kind?: CacheKind }

const SEPARATOR = '\u0000'
const keyOf = (kind: CacheKind, tenantId: string, key: string) =>
  `${tenantId}${SEPARATOR}${kind}${SEPARATOR}${key}`

/** A rough size in bytes of what a value holds (strings as UTF-16, a few words per object). */
export function estimateBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 16 + value.length * 2
  if (value === null || typeof value !== 'object') return 8
  if (depth > 6) return 64
  let bytes = 32
  if (value instanceof Map) {
    for (const [key, item] of value)
      bytes += estimateBytes(key, depth + 1) + estimateBytes(item, depth + 1)
  } else if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) bytes += 8 + estimateBytes(item, depth + 1)
  } else if (!(value instanceof Date)) {
    for (const [key, item] of Object.entries(value))
      bytes += 8 + estimateBytes(key, depth + 1) + estimateBytes(item, depth + 1)
  }
  return bytes
}

const interned = new Map<string, string>()

/**
 * One copy of a string that many entries repeat (a permission name read for
 * every role of every tenant): the cache holds references, not copies.
 */
export function intern(value: string): string {
  const known = interned.get(value)
  if (known !== undefined) return known
  // Bounded: past this many distinct strings new ones are kept as they are.
  if (interned.size < 100_000) interned.set(value, value)
  return value
}

/**
 * The one in-process cache of per-tenant facts read on the request path: the
 * registry's tenant look-ups, role permissions, custom fields, webhook
 * endpoints, and the plugins a tenant enabled with their settings. Bounded
 * by estimated size (least recently used first), entries expire and are
 * purged, and a change is announced on one change-bus channel, so every
 * Oryne process forgets the same entries at once.
 */
export class TenantCache {
  #entries: LRUCache<string, { value: unknown }>
  #loading = new Map<string, Promise<unknown>>()
  /** Bumped by every invalidation: a load that began before it does not store its result. */
  #generation = 0
  #listening?: Promise<void>
  readonly channel = `${process.env.ORYNE_REDIS_PREFIX || 'oryne'}:cache:changed`

  constructor(options: TenantCacheOptions) {
    this.#entries = new LRUCache({
      maxSize: options.maxBytes,
      ttl: options.ttlMs,
      sizeCalculation: (entry, key) => Math.max(1, estimateBytes(entry.value) + key.length * 2),
      // Expired entries are dropped when read and by the periodic purge below, not kept until evicted.
      allowStale: false,
    })
    const purge = setInterval(() => this.#entries.purgeStale(), 60_000)
    purge.unref()
  }

  /** The cached value, or `load()`'s (one load per key at a time, shared by concurrent callers). */
  async get<T>(
    kind: CacheKind,
    tenantId: string,
    key: string,
    load: () => Promise<T>,
    ttlMs?: number
  ): Promise<T> {
    this.#listen()
    const cacheKey = keyOf(kind, tenantId, key)
    const hit = this.#entries.get(cacheKey)
    if (hit) return hit.value as T
    const pending = this.#loading.get(cacheKey)
    if (pending) return pending as Promise<T>
    const generation = this.#generation
    const loading = load()
      .then((value) => {
        if (generation === this.#generation) this.#entries.set(cacheKey, { value }, { ttl: ttlMs })
        return value
      })
      .finally(() => {
        if (this.#loading.get(cacheKey) === loading) this.#loading.delete(cacheKey)
      })
    this.#loading.set(cacheKey, loading)
    return loading
  }

  /**
   * Forgets the entries of a tenant and/or a kind (everything when both are
   * absent); with `broadcast`, every other Oryne process forgets them too.
   */
  invalidate(scope: Scope = {}, options: { broadcast?: boolean } = {}) {
    this.#forget(scope)
    if (options.broadcast) {
      app.container
        .make('oryne.changes')
        .then((changes) => changes.publish(this.channel, JSON.stringify(scope)))
        .catch(() => {})
    }
  }

  /** Entries and estimated bytes held, for benchmarks and health pages. */
  stats() {
    return { entries: this.#entries.size, bytes: this.#entries.calculatedSize }
  }

  #forget({ tenantId, kind }: Scope) {
    this.#generation++
    // Callers after this point load afresh rather than join a load that read the old state.
    this.#loading.clear()
    if (!tenantId && !kind) return this.#entries.clear()
    for (const key of [...this.#entries.keys()]) {
      const [entryTenant, entryKind] = key.split(SEPARATOR, 2)
      if ((!tenantId || entryTenant === tenantId) && (!kind || entryKind === kind))
        this.#entries.delete(key)
    }
  }

  #listen() {
    this.#listening ??= (async () => {
      const changes = await app.container.make('oryne.changes')
      await changes.subscribe(this.channel, (message) => {
        try {
          this.#forget(JSON.parse(message) as Scope)
        } catch {
          this.#forget({})
        }
      })
    })().catch(() => {
      // Without the bus there is one process: local invalidation is enough, lifetimes bound the rest.
    })
  }
}
