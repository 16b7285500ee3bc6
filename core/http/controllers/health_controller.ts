import type { HttpContext } from '@adonisjs/core/http'
import redis from '../../services/redis.js'
import { readinessChecks } from '../../health/checks.js'
import { E_SERVICE_UNAVAILABLE } from '../../errors.js'
import { respond } from '../envelope.js'

export default class HealthController {
  /** The process is up and its event loop turns. Never touches a dependency. */
  async live(ctx: HttpContext) {
    respond(ctx, { status: 'ok' })
  }

  /** PostgreSQL and Redis answer: safe to route traffic here. 503 with the failing checks otherwise. */
  async ready(ctx: HttpContext) {
    const report = await readinessChecks(redis).run()
    const checks = Object.fromEntries(
      report.checks.map((check) => [
        check.name.toLowerCase().includes('redis') ? 'redis' : 'database',
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
