import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import tenancy from '../../services/tenancy.js'
import { resolveTenant } from '../../tenancy/resolver.js'
import { tenantContext } from '../../tenancy/context.js'
import type { Tenant } from '../../tenancy/types.js'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    tenant: Tenant
  }
}

const RESOLVED = Symbol('oryne.request_tenant')

/**
 * The tenant a request names, resolved once per request whoever asks first:
 * the rate limiter (which counts budgets per tenant) and then the tenant
 * middleware get the same tenant, or the same catalog error.
 */
export function requestTenant(ctx: HttpContext): Promise<Tenant> {
  const memo = ctx as unknown as Record<symbol, Promise<Tenant> | undefined>
  if (!memo[RESOLVED]) {
    memo[RESOLVED] = resolveTenant(ctx, tenancy.registry)
    // Whoever asks handles the refusal; the memo itself must not count as an unhandled rejection.
    memo[RESOLVED].catch(() => {})
  }
  return memo[RESOLVED]
}

/**
 * Resolves the request's tenant and runs the rest of the request inside its
 * context: tenant-scoped queries, jobs dispatched and every log line of the
 * request carry it.
 */
export default class TenantMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const tenant = await requestTenant(ctx)
    ctx.tenant = tenant
    // Log lines inside the context carry tenant_id through the logger's mixin (config/logger.ts);
    // a child logger per request cost more than the rest of tenant resolution.
    return tenantContext.run(tenant, () => next())
  }
}
