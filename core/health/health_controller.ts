import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import redis from '../services/redis.js'
import { readinessChecks } from './checks.js'
import { E_SERVICE_UNAVAILABLE } from '../errors.js'
import { respond } from '../http/envelope.js'

function keyOf(checkName: string) {
  const name = checkName.toLowerCase()
  if (name.includes('redis')) return 'redis'
  if (name.includes('plugin')) return 'plugins'
  return 'database'
}

export default class HealthController {
  /** The process is up and its event loop turns. Never touches a dependency. */
  async live(ctx: HttpContext) {
    respond(ctx, { status: 'ok' })
  }

  /**
   * PostgreSQL and Redis answer and every plugin a tenant enabled loaded: safe
   * to route traffic here. 503 with the failing checks otherwise.
   */
  async ready(ctx: HttpContext) {
    const catalog = async () => {
      const plugins = await app.container.make('oryne.plugins')
      return plugins.catalog()
    }
    const report = await readinessChecks(redis, catalog).run()
    const checks = Object.fromEntries(
      report.checks.map((check) => [
        keyOf(check.name),
        {
          status: check.status,
          message: check.message,
          ...(check.meta ? { meta: check.meta } : {}),
        },
      ])
    )
    if (!report.isHealthy) throw new E_SERVICE_UNAVAILABLE([], { details: { checks } })
    respond(ctx, { status: 'ok', checks })
  }
}
