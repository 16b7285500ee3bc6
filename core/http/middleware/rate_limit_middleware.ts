import { createHash } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import limiter from '@adonisjs/limiter/services/main'
import type { LimiterResponse } from '@adonisjs/limiter'
import tenancyConfig from '#config/tenancy'
import { rateLimits, type RateLimit, type RateLimitTier } from '#config/limiter'
import { E_RATE_LIMITED } from '../../errors.js'
import { accessClaimsOf, bearerToken, looksLikeJwt } from '../../auth/guard.js'
import { identity } from '../../auth/identity.js'
import { PLATFORM_ADMIN } from '../../auth/platform_accounts.js'
import { principalOf } from '../../rbac/authorize.js'
import { tenantContext } from '../../tenancy/context.js'
import type { Tenant } from '../../tenancy/types.js'
import { requestTenant } from './tenant_middleware.js'
import { requestBudgets } from '../limiter_store.js'
import type { BudgetState, RequestBudgets } from '../request_budgets.js'

/** Who a request counts against: the tier, its limit, and a key that always names the tenant. */
type Caller = { tier: RateLimitTier; limit: RateLimit; key: string; tenantKey: string }

const ADMIN_ROLES = ['TenantAdmin', PLATFORM_ADMIN]

function digest(value: string) {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22)
}

function tier(name: RateLimitTier, key: string, tenantKey: string): Caller {
  return { tier: name, limit: rateLimits[name], key: `${tenantKey}:${name}:${key}`, tenantKey }
}

/** The tenant a tenant route is for: the tenant middleware's own resolution, done once per request. */
async function tenantOf(ctx: HttpContext): Promise<Tenant | null> {
  try {
    return await requestTenant(ctx)
  } catch {
    // The tenant middleware answers with the precise error; until then the address counts.
    return null
  }
}

/** A request naming no serving tenant still counts apart from other tenants: by what it named. */
function unresolvedKey(ctx: HttpContext) {
  const named = `${ctx.request.hostname() ?? ''}|${ctx.request.header(tenancyConfig.header) ?? ''}`
  return `unresolved-${digest(named.toLowerCase())}`
}

/**
 * Identifies the caller after the request's tenant is resolved (once, shared
 * with the tenant middleware): an access JWT by its signature (verified once,
 * shared with the guard; no database read), the platform token, or an API key
 * (`X-API-Key` or `Bearer oryne_...`) through the RBAC principal. Anything not
 * proven counts as anonymous, per client address, so made-up tokens never get
 * a fresh budget.
 */
async function callerOf(ctx: HttpContext): Promise<Caller> {
  const platformRoute = ctx.route!.pattern.startsWith('/api/v1/platform')
  const token = bearerToken(ctx)
  const apiKey = ctx.request.header('x-api-key')
  const tenant = platformRoute ? null : await tenantOf(ctx)
  const tenantKey = platformRoute ? 'platform' : (tenant?.id ?? unresolvedKey(ctx))
  if (token && looksLikeJwt(token) && !apiKey) {
    const claims = await accessClaimsOf(ctx, identity.tokens).catch(() => null)
    if (claims) {
      const admin = claims.roles.some((role) => ADMIN_ROLES.includes(role))
      // A user's budget is theirs wherever the token is sent (the guard refuses another tenant's).
      return tier(admin ? 'admin' : 'user', claims.sub, claims.tid)
    }
  }

  if ((apiKey || (token && !looksLikeJwt(token))) && (platformRoute || tenant)) {
    const principal = await (
      tenant
        ? tenantContext.run(tenant, () => {
            ctx.tenant = tenant
            return principalOf(ctx)
          })
        : principalOf(ctx)
    ).catch(() => null)
    if (principal?.kind === 'platform') return tier('admin', 'token', 'platform')
    if (principal?.kind === 'api_key') {
      const caller = tier('apiKey', principal.id, tenantKey)
      // A key may carry its own limit (set when the key is created).
      return principal.rateLimit ? { ...caller, limit: principal.rateLimit } : caller
    }
  }
  return tier('anonymous', ctx.request.ip(), tenantKey)
}

/** Made once per process, on the first limited request. */
let budgets: Promise<RequestBudgets> | undefined

type Budget = Pick<LimiterResponse, 'limit' | 'remaining' | 'availableIn'> | BudgetState

function setBudgetHeaders(ctx: HttpContext, state: Budget) {
  ctx.response.header('X-RateLimit-Limit', state.limit)
  ctx.response.header('X-RateLimit-Remaining', Math.max(0, state.remaining))
  ctx.response.header('X-RateLimit-Reset', state.availableIn)
}

function rateLimited(ctx: HttpContext, tierName: string, state: Budget, window: number) {
  setBudgetHeaders(ctx, { ...state, remaining: 0 })
  const retryAfter = Math.max(1, state.availableIn)
  const error = new E_RATE_LIMITED([`at most ${state.limit} per ${window} s (${tierName})`], {
    details: {
      tier: tierName,
      limit: state.limit,
      window_seconds: window,
      retry_after: retryAfter,
    },
  })
  return Object.assign(error, { retryAfter })
}

function use(limit: NonNullable<RateLimit>) {
  return limiter.use({ requests: limit.requests, duration: limit.duration })
}

/**
 * Rate limits of the API (docs/api.md, "Rate limits"): one budget per caller
 * and tier (anonymous per address, users per user, admins per user, API keys
 * per key), always within one tenant, counted in process and shared through
 * Redis in batches (core/http/request_budgets.ts: one Redis exchange per key and
 * window on the request path, not one per request); and failed sign-ins per
 * tenant, address and email, with @adonisjs/limiter counting in Redis. Over the limit the answer
 * is 429 ERR_RATE_LIMITED with Retry-After; every limited response carries
 * X-RateLimit-Limit, -Remaining and -Reset.
 */
export default class RateLimitMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!ctx.route?.pattern.startsWith('/api/')) return next()
    const caller = await callerOf(ctx)

    if (caller.limit) {
      budgets ??= app.container
        .make('oryne.redis')
        .then(requestBudgets)
        .catch((error) => {
          budgets = undefined
          throw error
        })
      const counters = await budgets
      const { allowed, state } = await counters.consume(caller.key, caller.limit)
      if (!allowed) throw rateLimited(ctx, caller.tier, state, caller.limit.duration)
      setBudgetHeaders(ctx, state)
    }

    // Password sign-ins and their MFA second step share the failed-sign-in budget.
    const pattern = ctx.route.pattern
    if (
      (pattern.endsWith('/auth/login') || pattern.endsWith('/auth/login/mfa')) &&
      rateLimits.login
    ) {
      return this.#signIn(ctx, next, caller.tenantKey, rateLimits.login)
    }
    return next()
  }

  /** Only failures count; a successful sign-in clears the counter. */
  async #signIn(ctx: HttpContext, next: NextFn, tenantKey: string, limit: NonNullable<RateLimit>) {
    const email = String(ctx.request.input('email', '')).trim().toLowerCase()
    const key = `${tenantKey}:login:${ctx.request.ip()}:${digest(email)}`
    const logins = use(limit)
    const state = await logins.get(key)
    if (state && state.remaining <= 0) throw rateLimited(ctx, 'login', state, limit.duration)

    await next()
    const status = ctx.response.getStatus()
    if (status >= 400 && status < 500 && status !== 429) await logins.increment(key)
    else if (status < 300) await logins.delete(key)
  }
}
