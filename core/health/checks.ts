import { BaseCheck, HealthChecks, Result } from '@adonisjs/core/health'
import type { HealthCheckResult } from '@adonisjs/core/types/health'
import { DbCheck } from '@adonisjs/lucid/database'
import db from '@adonisjs/lucid/services/db'
import type { RedisConnections } from '../redis/connections.js'
import { withTimeout } from '../utils/with_timeout.js'

class TimedDbCheck extends DbCheck {
  async run(): Promise<HealthCheckResult> {
    return withTimeout(super.run(), 2000, 'PostgreSQL').catch((error) =>
      Result.failed('PostgreSQL is unreachable', error)
    )
  }
}

/** PINGs the shared Redis connection; passes with a note when jobs run inline (no Redis configured). */
class RedisCheck extends BaseCheck {
  name = 'Redis connection check'

  constructor(private redis: RedisConnections) {
    super()
  }

  async run(): Promise<HealthCheckResult> {
    if (!this.redis.configured) {
      return Result.ok('No Redis configured: jobs run inline').mergeMetaData({ mode: 'inline' })
    }
    try {
      const started = Date.now()
      await withTimeout(this.redis.shared().ping(), 2000, 'Redis')
      return Result.ok('Redis answered PING').mergeMetaData({ latency_ms: Date.now() - started })
    } catch (error) {
      return Result.failed('Redis is unreachable', error as Error)
    }
  }
}

/** What GET /health/ready runs: the dependencies without which Oryne cannot serve. */
export function readinessChecks(redis: RedisConnections) {
  return new HealthChecks().register([new TimedDbCheck(db.connection()), new RedisCheck(redis)])
}
