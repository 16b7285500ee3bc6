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

/**
 * Resolves the request's tenant and runs the rest of the request inside its
 * context: tenant-scoped queries, jobs dispatched and every log line of the
 * request carry it.
 */
export default class TenantMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const tenant = await resolveTenant(ctx, tenancy.registry)
    ctx.tenant = tenant
    // Log lines inside the context carry tenant_id through the logger's mixin (config/logger.ts);
    // a child logger per request cost more than the rest of tenant resolution.
    return tenantContext.run(tenant, () => next())
  }
}
