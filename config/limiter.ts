import string from '@adonisjs/core/helpers/string'
import { configProvider } from '@adonisjs/core'
import { defineConfig } from '@adonisjs/limiter'
import type { InferLimiters, LimiterManagerStoreFactory } from '@adonisjs/limiter/types'
import { sharedLimiterStore } from '#core/http/limiter_store'
import { E_CONFIG_MISSING } from '#core/errors'
import type { RedisConnections } from '#core/redis/connections'

/** `requests` per `duration` seconds; `null` turns a tier off. */
export type RateLimit = { requests: number; duration: number } | null

/**
 * Reads a limit written `<requests>/<duration>`: `100/1h`, `10/15m`, `5/30s`,
 * `1000/3600` (seconds), or `off`.
 */
export function parseRateLimit(name: string, value: string): RateLimit {
  const text = value.trim()
  if (text === 'off') return null
  const match = /^(\d+)\s*\/\s*(.+)$/.exec(text)
  const requests = match ? Number(match[1]) : Number.NaN
  let duration = Number.NaN
  try {
    duration = match
      ? string.seconds.parse(/^\d+$/.test(match[2]) ? Number(match[2]) : match[2])
      : duration
  } catch {}
  if (!(requests > 0) || !(duration > 0)) {
    throw new E_CONFIG_MISSING([`${name} is invalid: "${value}"`], {
      hint: `Write it as <requests>/<duration> (e.g. 100/1h, 10/15m) or "off".`,
    })
  }
  return { requests, duration }
}

function limit(name: string, fallback: string) {
  return parseRateLimit(name, process.env[name] || fallback)
}

/**
 * Rate-limit tiers (docs/api.md, "Rate limits"). Every counter is kept per
 * tenant: the same user, key or address has its own counter on each tenant.
 */
export const rateLimits = {
  /** Failed sign-ins per address and email; a success clears the counter. */
  login: limit('ORYNE_RATE_LIMIT_LOGIN', '10/15m'),
  /** Requests without valid credentials, per client address. */
  anonymous: limit('ORYNE_RATE_LIMIT_ANONYMOUS', '100/1h'),
  /** Signed-in users, per user. */
  user: limit('ORYNE_RATE_LIMIT_USER', '1000/1h'),
  /** TenantAdmins, PlatformAdmins and the platform token, per user (or token). */
  admin: limit('ORYNE_RATE_LIMIT_ADMIN', '10000/1h'),
  /** API keys without a limit of their own, per key. */
  apiKey: limit('ORYNE_RATE_LIMIT_API_KEY', '1000/1h'),
}

export type RateLimitTier = keyof typeof rateLimits

const limiterConfig = defineConfig({
  default: 'shared',
  stores: {
    /** Redis when configured (every process counts together), else process memory. */
    shared: configProvider.create(async (app): Promise<LimiterManagerStoreFactory> => {
      const redis: RedisConnections = await app.container.make('oryne.redis')
      return sharedLimiterStore(redis, `${process.env.ORYNE_REDIS_PREFIX || 'oryne'}:ratelimit`)
    }),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
