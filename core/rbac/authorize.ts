import { createHash, timingSafeEqual } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import { E_AUTH_INVALID_TOKEN, E_AUTH_REQUIRED, E_FORBIDDEN } from '../errors.js'
import { bearerToken, looksLikeJwt } from '../auth/guard.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import type { ResourcePrincipal } from '../resources/define_resource.js'

export type Principal = ResourcePrincipal

/** Whether `granted` (exact, `<plugin>.*`, `<plugin>.<resource>.*` or `*`) covers `permission`. */
export function permits(granted: Iterable<string>, permission: string) {
  for (const grant of granted) {
    if (grant === '*' || grant === permission) return true
    if (grant.endsWith('.*') && permission.startsWith(grant.slice(0, -1))) return true
  }
  return false
}

const ROLE_CACHE_MS = 5_000
const rolePermissions = new Map<string, { roles: Map<string, string[]>; expires: number }>()

/** Forgets the cached role permissions of a tenant (call after a role changes). */
export function invalidateRolePermissions(tenantId?: string) {
  if (tenantId) rolePermissions.delete(tenantId)
  else rolePermissions.clear()
}

/** The permissions each role of the current tenant holds (cached briefly per tenant). */
export async function permissionsByRole(): Promise<Map<string, string[]>> {
  const tenant = tenantContext.require()
  const cached = rolePermissions.get(tenant.id)
  if (cached && cached.expires > Date.now()) return cached.roles
  const rows = await withTenantDb((trx) => trx.from('roles').select('name', 'permissions'))
  const roles = new Map(rows.map((row) => [row.name as string, row.permissions as string[]]))
  rolePermissions.set(tenant.id, { roles, expires: Date.now() + ROLE_CACHE_MS })
  return roles
}

/** A principal holding `roles` in the current tenant. TenantAdmin holds every permission. */
export async function principalForRoles(
  kind: Principal['kind'],
  id: string,
  roles: string[],
  scopes?: string[]
): Promise<Principal> {
  const byRole = await permissionsByRole()
  const granted = new Set<string>(roles.includes('TenantAdmin') ? ['*'] : [])
  for (const role of roles) for (const permission of byRole.get(role) ?? []) granted.add(permission)
  return {
    kind,
    id,
    roles,
    // API keys are limited to their scopes, whatever the roles behind them grant.
    can: (permission) =>
      permits(granted, permission) && (!scopes || permits(scopes, permission)),
  }
}

const PLATFORM: Principal = { kind: 'platform', id: 'platform', roles: [], can: () => true }

function digest(value: string) {
  return createHash('sha256').update(value).digest()
}

const PRINCIPAL = Symbol('oryne.principal')

/**
 * Who is calling a tenant route: a tenant user (access JWT of this tenant), or
 * the platform acting through ORYNE_PLATFORM_TOKEN (every permission). Resolved
 * once per request.
 */
export async function principalOf(ctx: HttpContext): Promise<Principal> {
  const memo = ctx as unknown as Record<symbol, Principal | undefined>
  if (memo[PRINCIPAL]) return memo[PRINCIPAL]
  const token = bearerToken(ctx)
  if (!token) throw new E_AUTH_REQUIRED()
  let principal: Principal
  if (looksLikeJwt(token)) {
    const user = await ctx.auth.use('tenant').authenticate()
    principal = await principalForRoles('user', user.id, user.roles)
  } else {
    const expected = env.get('ORYNE_PLATFORM_TOKEN')?.release()
    if (!expected || !timingSafeEqual(digest(token), digest(expected)))
      throw new E_AUTH_INVALID_TOKEN()
    principal = PLATFORM
  }
  memo[PRINCIPAL] = principal
  return principal
}

/** The caller, who must hold `permission`; otherwise 403 ERR_FORBIDDEN naming it. */
export async function authorize(ctx: HttpContext, permission: string): Promise<Principal> {
  const principal = await principalOf(ctx)
  if (!principal.can(permission)) throw new E_FORBIDDEN([`this needs the ${permission} permission`])
  return principal
}
