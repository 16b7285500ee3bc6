import string from '@adonisjs/core/helpers/string'
import RateLimiterBridge from '@adonisjs/limiter/stores/bridge'
import type { LimiterConsumptionOptions, LimiterManagerStoreFactory } from '@adonisjs/limiter/types'
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import type { RedisConnections } from '../redis/connections.js'
import { plainPrefix } from '../redis/keys.js'
import { RequestBudgets } from './request_budgets.js'

function limiterOptions(options: LimiterConsumptionOptions, keyPrefix: string) {
  return {
    // One counter is one key, placed on a cluster by its own hash: a tag in the prefix
    // (`{oryne}`) would put every counter of the platform on one shard.
    keyPrefix: plainPrefix(keyPrefix),
    points: options.requests,
    duration: string.seconds.parse(options.duration),
    blockDuration: options.blockDuration ? string.seconds.parse(options.blockDuration) : 0,
  }
}

const insurance = new Map<string, RateLimiterMemory>()

/**
 * The in-process counters used while Redis is unreachable: one per limit, kept
 * across requests (a store is built per request), so limits still hold.
 */
function insuranceFor(config: ReturnType<typeof limiterOptions>) {
  const key = `${config.keyPrefix}|${config.points}|${config.duration}|${config.blockDuration}`
  let limiter = insurance.get(key)
  if (!limiter) insurance.set(key, (limiter = new RateLimiterMemory(config)))
  return limiter
}

/**
 * The @adonisjs/limiter store of Oryne: counters in the process's shared Redis
 * connection (core/redis/connections.ts), so every API process counts against
 * the same limits. @adonisjs/limiter's own Redis store needs @adonisjs/redis,
 * a second set of connections to the same server; this one reuses ours. If
 * Redis stops answering, an in-process counter takes over (rate-limiter-flexible's
 * insurance limiter) rather than failing every request.
 */
class SharedRedisStore extends RateLimiterBridge {
  readonly name = 'redis'

  constructor(redis: RedisConnections, options: LimiterConsumptionOptions, keyPrefix: string) {
    const config = limiterOptions(options, keyPrefix)
    super(
      new RateLimiterRedis({
        ...config,
        storeClient: redis.shared(),
        // While Redis is (re)connecting, count in this process at once instead of waiting for it.
        rejectIfRedisNotReady: true,
        insuranceLimiter: insuranceFor(config),
      })
    )
  }

  /** Forgets nothing shared: keys expire by themselves, and FLUSHDB would drop the queues too. */
  async clear() {}
}

/** Counters in this process only: for Oryne running with Redis inline (no REDIS_URL). */
class MemoryStore extends RateLimiterBridge {
  readonly name = 'memory'
  #config: ReturnType<typeof limiterOptions>

  constructor(options: LimiterConsumptionOptions, keyPrefix: string) {
    const config = limiterOptions(options, keyPrefix)
    super(new RateLimiterMemory(config))
    this.#config = config
  }

  async clear() {
    this.rateLimiter = new RateLimiterMemory(this.#config)
  }
}

/** Redis when the process has one, process memory when Redis is inline. */
export function sharedLimiterStore(
  redis: RedisConnections,
  keyPrefix: string
): LimiterManagerStoreFactory {
  return (options) =>
    redis.configured
      ? new SharedRedisStore(redis, options, keyPrefix)
      : new MemoryStore(options, keyPrefix)
}

/** The deployment's rate-limit key prefix: the keys RateLimiterRedis writes are `<prefix>:<key>`. */
export function rateLimitPrefix() {
  return plainPrefix(`${process.env.ORYNE_REDIS_PREFIX || 'oryne'}:ratelimit`)
}

/**
 * The budgets of the main tiers (anonymous, user, admin, API key), counted in
 * this process and sent to Redis every ORYNE_RATE_LIMIT_SYNC_MS (100 ms; 0 counts
 * every request in Redis): core/http/request_budgets.ts states the bound.
 */
export function requestBudgets(redis: RedisConnections) {
  const sync = Number(process.env.ORYNE_RATE_LIMIT_SYNC_MS ?? 100)
  return new RequestBudgets(() => (redis.configured ? redis.shared() : null), rateLimitPrefix(), {
    syncMs: Number.isFinite(sync) && sync >= 0 ? sync : 100,
  })
}
