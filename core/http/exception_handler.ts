import app from '@adonisjs/core/services/app'
import { ExceptionHandler, type HttpContext } from '@adonisjs/core/http'
import {
  E_BAD_REQUEST,
  E_BODY_ENCODING_INVALID,
  E_METHOD_NOT_ALLOWED,
  E_NOT_FOUND,
  E_PAYLOAD_TOO_LARGE,
  E_PLUGIN_DISABLED,
  E_RATE_LIMITED,
  E_SERVICE_UNAVAILABLE,
  E_UNSUPPORTED_MEDIA_TYPE,
  OryneError,
  toOryneError,
} from '../errors.js'
import { reportError } from '../observability/error_reporting.js'
import { identifiedPrincipal } from '../rbac/authorize.js'
import tenancy from '../services/tenancy.js'
import { resolveTenant } from '../tenancy/resolver.js'
import { allowedMethods } from './allowed_methods.js'
import { errorEnvelope } from './envelope.js'
import { outageOf } from './outages.js'

/** Seconds a client should wait before retrying during an outage of PostgreSQL or Redis. */
const OUTAGE_RETRY_AFTER = 5

/**
 * Turns every error into the API envelope with a stable code. Framework and
 * library errors are translated to catalog errors here, in one place; anything
 * unknown becomes ERR_INTERNAL without leaking its message or stack.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction
  protected ignoreStatuses = [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429]

  async handle(error: unknown, ctx: HttpContext) {
    if ((error as { code?: string })?.code === 'E_ROUTE_NOT_FOUND') {
      const answer = await wrongMethod(ctx)
      if (answer === 'answered') return
      if (answer) error = answer
    }
    const oryneError = toHttpError(error, ctx)
    const status = oryneError.status
    const body = {
      code: oryneError.code!,
      message: oryneError.message,
      ...(oryneError.hint ? { hint: oryneError.hint } : {}),
      ...(oryneError.details !== undefined ? { details: oryneError.details } : {}),
    }
    const retryAfter = (oryneError as { retryAfter?: number }).retryAfter
    if (retryAfter) ctx.response.header('Retry-After', String(retryAfter))
    ctx.response.status(status).json(errorEnvelope(ctx, body))
  }

  /**
   * Logs as AdonisJS does, and sends server faults (5xx) to the error
   * collector when one is configured. Outages are left to the health checks
   * and alerts: one report per request while PostgreSQL is down helps nobody.
   */
  async report(error: unknown, ctx: HttpContext) {
    await super.report(error, ctx)
    const oryneError = toHttpError(error, ctx)
    if (oryneError.status < 500 || outageOf(error)) return
    const principal = identifiedPrincipal(ctx)
    reportError(error, {
      tags: {
        principal: principal?.kind,
        request_id: ctx.request.id(),
        method: ctx.request.method(),
        route: ctx.route?.pattern ?? 'unmatched',
        status: oryneError.status,
        code: oryneError.code,
        // The tenant context has ended by now; the middleware left the tenant on ctx.
        tenant_id: ctx.tenant?.id,
      },
      userId: principal?.kind === 'user' ? principal.id : undefined,
    })
  }
}

/**
 * A request the router did not match, on a path it knows under other methods:
 * 405 ERR_METHOD_NOT_ALLOWED with Allow, or for a plain OPTIONS a 204 with
 * Allow. A plugin's path first fails the way its right methods would: a
 * tenant that cannot be resolved gets the tenant error, a tenant that has not
 * enabled the plugin ERR_PLUGIN_DISABLED, so a disabled module shows nothing
 * of its shape. Returns the error to answer with, 'answered', or undefined for
 * a path nothing matches (404).
 */
async function wrongMethod(ctx: HttpContext): Promise<unknown> {
  const { methods, plugin } = allowedMethods(ctx)
  if (!methods.length) return undefined
  if (plugin) {
    try {
      const tenant = await resolveTenant(ctx, tenancy.registry)
      const plugins = await app.container.make('oryne.plugins')
      if (!(await plugins.isEnabled(tenant.id, plugin))) return new E_PLUGIN_DISABLED([plugin])
    } catch (error) {
      return error
    }
  }
  ctx.response.header('Allow', methods.join(', '))
  const method = ctx.request.method()
  if (method === 'OPTIONS') {
    ctx.response.status(204).send(null)
    return 'answered'
  }
  return new E_METHOD_NOT_ALLOWED([method, ctx.request.url(), methods.join(', ')], {
    details: { allow: methods },
  })
}

function toHttpError(error: unknown, ctx: HttpContext): OryneError {
  if (error instanceof OryneError || (error as { code?: string })?.code === 'E_VALIDATION_ERROR') {
    return toOryneError(error)
  }

  const code = (error as { code?: string })?.code
  const status = (error as { status?: number })?.status
  switch (code) {
    case 'E_ROUTE_NOT_FOUND':
      return new E_NOT_FOUND([ctx.request.method(), ctx.request.url()])
    case 'E_REQUEST_ENTITY_TOO_LARGE':
      return new E_PAYLOAD_TOO_LARGE()
    case 'E_INVALID_CONTENT_TYPE':
      return new E_UNSUPPORTED_MEDIA_TYPE([ctx.request.header('content-type') ?? ''])
    case 'E_TOO_MANY_REQUESTS': {
      // @adonisjs/limiter used directly (limiter.define): the same answer as Oryne's tiers.
      const { limit, availableIn } = (error as { response: { limit: number; availableIn: number } })
        .response
      const retryAfter = Math.max(1, availableIn)
      return Object.assign(
        new E_RATE_LIMITED([`at most ${limit} requests`], {
          details: { limit, retry_after: retryAfter },
        }),
        { retryAfter }
      )
    }
  }
  // zlib failing on a body that is not the gzip/deflate/br its Content-Encoding says (zlib's
  // codes are Z_*, the Brotli decoder's ERR__ERROR_*: e.g. ERR__ERROR_FORMAT_PADDING_2).
  if (typeof code === 'string' && /^(Z_[A-Z_]+|ERR__ERROR_[A-Z0-9_]+)$/.test(code))
    return new E_BODY_ENCODING_INVALID([ctx.request.header('content-encoding') ?? 'compressed'])
  const outage = outageOf(error)
  if (outage)
    return Object.assign(
      new E_SERVICE_UNAVAILABLE([], {
        details: [{ service: outage, status: 'unreachable' }],
      }),
      { retryAfter: OUTAGE_RETRY_AFTER }
    )
  // Malformed bodies (bad JSON and the like) are the caller's fault, not ours.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new E_BAD_REQUEST([(error as Error).message || 'Malformed request'])
  }
  return toOryneError(error)
}
