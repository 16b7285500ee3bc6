import type { RedisClient } from '../redis/connections.js'

/** `requests` per `duration` seconds. */
export type BudgetLimit = { requests: number; duration: number }

/** What a consumption leaves: the limit, what is left of it, and seconds until the window starts again. */
export type BudgetState = { limit: number; remaining: number; availableIn: number }

export type BudgetOutcome = { allowed: boolean; state: BudgetState }

/** One key's window as this process sees it. */
type Entry = {
  /** The count in Redis after this process's last exchange with it (every process's requests). */
  shared: number
  /** Counted here, sent to Redis by a flush that has not answered yet. */
  sending: number
  /** Counted here since the last flush. */
  pending: number
  /** When the window ends (epoch ms), from Redis's TTL of the key. */
  resetAt: number
  /** The window's length, for a key Redis lost (expired or flushed) in the meantime. */
  durationMs: number
  /** The first exchange of the window, which every request of the key waits for. */
  opening?: Promise<void>
}

export type RequestBudgetsOptions = {
  /** How often counts made here are sent to Redis (ms); 0 counts every request in Redis, exactly. */
  syncMs?: number
  /** Keys kept in memory at most; beyond, requests of new keys are counted in Redis one by one. */
  maxKeys?: number
  /** Current time (tests). */
  now?: () => number
}

/**
 * Fixed-window request budgets counted in this process and shared through
 * Redis in batches (the rate limiter's main tiers, docs/api.md "Rate limits").
 *
 * The first request of a key in a window waits for one Redis exchange, which
 * counts it and reads the window's count and end; later requests are counted
 * in memory against that count plus what this process counted since, and
 * every `syncMs` (100 ms) one flush adds this process's counts to Redis and
 * reads back the totals, every process's requests included. The keys and
 * values are those rate-limiter-flexible's RateLimiterRedis writes (a counter
 * with the window's TTL), so processes of both kinds count together.
 *
 * The bound: one process never lets a key exceed its limit by itself; with
 * several processes, a key may go over by at most what the other processes
 * accepted for it during one sync interval (each learns of the others' counts
 * at its next flush). A process that stops loses at most its last interval's
 * counts. Without Redis (not configured, or unreachable) each process counts
 * alone, as the insurance limiter did.
 */
export class RequestBudgets {
  #entries = new Map<string, Entry>()
  #timer: NodeJS.Timeout | null = null
  #flushing: Promise<void> | null = null
  #syncMs: number
  #maxKeys: number
  #now: () => number
  #sweptAt = 0

  constructor(
    private redis: () => RedisClient | null,
    private prefix: string,
    options: RequestBudgetsOptions = {}
  ) {
    this.#syncMs = options.syncMs ?? 100
    this.#maxKeys = options.maxKeys ?? 100_000
    this.#now = options.now ?? Date.now
  }

  /** Counts one request of `key` against `limit`; refused when the window's count is at the limit. */
  async consume(key: string, limit: BudgetLimit): Promise<BudgetOutcome> {
    const now = this.#now()
    const id = `${this.prefix}:${key}`
    let entry = this.#entries.get(id)
    if (entry && entry.resetAt <= now && !entry.opening) {
      this.#entries.delete(id)
      entry = undefined
    }
    if (!entry) {
      if (this.#entries.size >= this.#maxKeys) this.#sweep(now, true)
      const durationMs = limit.duration * 1000
      entry = { shared: 0, sending: 0, pending: 0, resetAt: now + durationMs, durationMs }
      if (this.#entries.size >= this.#maxKeys || (this.#syncMs === 0 && this.#client()))
        return this.#direct(id, entry, limit)
      this.#entries.set(id, entry)
      const client = this.#client()
      if (client) {
        const opened = entry
        entry.opening = this.#exchange(client, id, 1, durationMs)
          .then(([count, ttl]) => {
            opened.shared = count
            opened.resetAt = this.#now() + ttl
          })
          .catch(() => {
            // Redis did not answer: this process counts the request alone.
            opened.shared += 1
          })
          .finally(() => (opened.opening = undefined))
        await entry.opening
        return this.#outcome(entry, limit, opened.shared <= limit.requests)
      }
    } else if (entry.opening) {
      await entry.opening
    }
    const used = entry.shared + entry.sending + entry.pending
    if (used >= limit.requests) return this.#outcome(entry, limit, false)
    entry.pending += 1
    this.#schedule()
    return this.#outcome(entry, limit, true)
  }

  /** Sends what this process counted to Redis now (tests, shutdown). */
  async flush() {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#flushing
    this.#flushing = this.#send().finally(() => (this.#flushing = null))
    await this.#flushing
  }

  /** Keys kept in memory (tests, metrics). */
  get size() {
    return this.#entries.size
  }

  #outcome(entry: Entry, limit: BudgetLimit, allowed: boolean): BudgetOutcome {
    const used = entry.shared + entry.sending + entry.pending
    return {
      allowed,
      state: {
        limit: limit.requests,
        remaining: allowed ? Math.max(0, limit.requests - used) : 0,
        availableIn: Math.max(0, Math.ceil((entry.resetAt - this.#now()) / 1000)),
      },
    }
  }

  /** Past maxKeys, or with syncMs 0: the request is counted in Redis at once, exactly, and the key not kept here. */
  async #direct(id: string, entry: Entry, limit: BudgetLimit): Promise<BudgetOutcome> {
    const client = this.#client()
    if (client) {
      try {
        const [count, ttl] = await this.#exchange(client, id, 1, entry.durationMs)
        entry.shared = count
        entry.resetAt = this.#now() + ttl
        return this.#outcome(entry, limit, count <= limit.requests)
      } catch {}
    }
    // No Redis and no room: refuse nothing rather than count nowhere.
    entry.shared = 1
    return this.#outcome(entry, limit, true)
  }

  #client(): RedisClient | null {
    let client: RedisClient | null
    try {
      client = this.redis()
    } catch {
      // The application is stopping (its connections are closed): count here.
      return null
    }
    // While Redis (re)connects, count here at once instead of queueing behind it.
    return client && client.status === 'ready' ? client : null
  }

  /** Adds `count` to the key's window (opened with `durationMs` if Redis has none) and reads its count and TTL. */
  async #exchange(client: RedisClient, id: string, count: number, durationMs: number) {
    const result = await client
      .multi()
      .set(id, 0, 'PX', durationMs, 'NX')
      .incrby(id, count)
      .pttl(id)
      .exec()
    if (!result || result.some(([error]) => error)) throw new Error('rate limit exchange failed')
    const total = Number(result[1][1])
    let ttl = Number(result[2][1])
    if (ttl < 0) {
      await client.pexpire(id, durationMs)
      ttl = durationMs
    }
    return [total, ttl] as const
  }

  #schedule() {
    if (this.#timer || this.#flushing) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#flushing = this.#send().finally(() => {
        this.#flushing = null
        // Requests counted while the flush ran go with the next one.
        for (const entry of this.#entries.values()) {
          if (entry.pending) {
            this.#schedule()
            break
          }
        }
      })
    }, this.#syncMs)
    this.#timer.unref()
  }

  async #send() {
    const now = this.#now()
    const client = this.#client()
    const batch: Array<[string, Entry, number]> = []
    for (const [id, entry] of this.#entries) {
      if (!entry.pending) continue
      const count = entry.pending
      entry.pending = 0
      if (!client) entry.shared += count
      else {
        entry.sending += count
        batch.push([id, entry, count])
      }
    }
    if (client) {
      await Promise.all(
        batch.map(async ([id, entry, count]) => {
          try {
            const [total, ttl] = await this.#exchange(
              client,
              id,
              count,
              Math.max(1, entry.resetAt - now)
            )
            entry.shared = total
            entry.resetAt = this.#now() + ttl
          } catch {
            // Kept here: the limit still holds in this process.
            entry.shared += count
          } finally {
            entry.sending -= count
          }
        })
      )
    }
    if (now - this.#sweptAt > 10_000) this.#sweep(now, false)
  }

  /** Forgets ended windows (every 10 s, or at once when the map is full). */
  #sweep(now: number, full: boolean) {
    if (!full && now - this.#sweptAt < 10_000) return
    this.#sweptAt = now
    for (const [id, entry] of this.#entries) {
      if (entry.resetAt <= now && !entry.pending && !entry.sending && !entry.opening)
        this.#entries.delete(id)
    }
  }
}
