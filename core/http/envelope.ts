import type { HttpContext } from '@adonisjs/core/http'

export type Pagination = {
  page?: number
  per_page?: number
  total?: number
  last_page?: number
  next_cursor?: string | null
}

export type ErrorBody = { code: string; message: string; hint?: string; details?: unknown }

/** The one response shape of the API (DESIGN.md, "API conventions"). */
export type Envelope<T = unknown> = {
  success: boolean
  data: T | null
  meta: { timestamp: string; request_id: string; pagination?: Pagination; [key: string]: unknown }
  error: ErrorBody | null
}

function meta(
  ctx: HttpContext,
  pagination?: Pagination,
  extra?: Record<string, unknown>
): Envelope['meta'] {
  return {
    timestamp: new Date().toISOString(),
    request_id: ctx.request.id() ?? '',
    ...(pagination ? { pagination } : {}),
    ...extra,
  }
}

export function successEnvelope<T>(
  ctx: HttpContext,
  data: T,
  pagination?: Pagination,
  extra?: Record<string, unknown>
): Envelope<T> {
  return { success: true, data, meta: meta(ctx, pagination, extra), error: null }
}

export function errorEnvelope(ctx: HttpContext, error: ErrorBody, data: unknown = null): Envelope {
  return { success: false, data, meta: meta(ctx), error }
}

export type RespondOptions = {
  status?: number
  pagination?: Pagination
  /** More members of the envelope's meta (e.g. a search's facet counts). */
  meta?: Record<string, unknown>
  /**
   * The address of the record a 201 created (or of the job a 202 queued), a path
   * under /api/v1: sent as `Location` (docs/api.md, "Conventions").
   */
  location?: string
}

/**
 * Sends `data` in the envelope with `status` (200 by default). Serialised with
 * plain JSON.stringify: the framework's safe stringify calls a replacer for
 * every key, which cost a tenth of a list endpoint's CPU (docs/benchmarks.md).
 * API data is plain rows and objects (bigints arrive from pg as strings).
 */
export function respond<T>(ctx: HttpContext, data: T, options: RespondOptions = {}) {
  if (options.location) ctx.response.header('Location', options.location)
  ctx.response
    .status(options.status ?? 200)
    .header('Content-Type', 'application/json; charset=utf-8')
    .send(JSON.stringify(successEnvelope(ctx, data, options.pagination, options.meta)))
}
