import { BaseCheck, HealthChecks, Result } from '@adonisjs/core/health'
import type { HealthCheckResult } from '@adonisjs/core/types/health'
import { DbCheck } from '@adonisjs/lucid/database'
import db from '@adonisjs/lucid/services/db'
import type { CatalogEntry } from '../plugins/catalog.js'
import { describeProblem, pluginHealth } from '../plugins/plugin_health.js'
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

/**
 * Fails when a plugin some tenant enabled cannot load (that school would be
 * served without it); a plugin nobody enabled only warns.
 */
class PluginsCheck extends BaseCheck {
  name = 'Plugins check'

  constructor(private catalog: () => Promise<Iterable<CatalogEntry>>) {
    super()
  }

  async run(): Promise<HealthCheckResult> {
    try {
      const health = await withTimeout(pluginHealth(await this.catalog()), 2000, 'PostgreSQL')
      const meta = { unavailable: health.problems }
      if (health.in_use.length)
        return Result.failed(
          `Plugin(s) enabled for a tenant cannot load: ${health.in_use.map(describeProblem).join('; ')}`
        ).mergeMetaData(meta)
      if (health.problems.length)
        return Result.warning(
          `Plugin(s) unavailable, enabled for no tenant: ${health.problems.map(describeProblem).join('; ')}`
        ).mergeMetaData(meta)
      return Result.ok('Every plugin loaded')
    } catch (error) {
      return Result.failed('Could not read which tenants enable which plugins', error as Error)
    }
  }
}

/** What GET /health/ready runs: the dependencies and plugins without which Oryne cannot serve. */
export function readinessChecks(
  redis: RedisConnections,
  catalog: () => Promise<Iterable<CatalogEntry>>
) {
  return new HealthChecks().register([
    new TimedDbCheck(db.connection()),
    new RedisCheck(redis),
    new PluginsCheck(catalog),
  ])
}
