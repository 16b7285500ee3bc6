import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { httpRequestDuration } from '../../observability/metrics.js'

/**
 * Echoes the request id as X-Request-Id, times the request for the
 * `oryne_http_request_duration_seconds` histogram (labelled by route pattern,
 * never by raw URL, so cardinality stays bounded) and writes one access-log
 * line. Both happen when the response is finished, so errors rendered by the
 * exception handler are counted with their real status.
 */
export default class ObserveRequestMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const started = process.hrtime.bigint()
    ctx.response.header('X-Request-Id', ctx.request.id()!)
    ctx.response.response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const status = ctx.response.response.statusCode
      const route = ctx.route?.pattern ?? 'unmatched'
      const method = ctx.request.method()
      httpRequestDuration.observe({ method, route, status: String(status) }, seconds)
      ctx.logger.info(
        {
          method,
          url: ctx.request.url(),
          route,
          status,
          duration_ms: Math.round(seconds * 1e5) / 100,
          // Written after the tenant context has ended, so the tenant is named here.
          ...(ctx.tenant ? { tenant_id: ctx.tenant.id } : {}),
        },
        'request completed'
      )
    })
    return next()
  }
}
