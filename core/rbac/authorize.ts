import { createHash, timingSafeEqual } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import secrets from '#config/secrets'
import { E_AUTH_INVALID_TOKEN, E_AUTH_REQUIRED, E_FORBIDDEN } from '../errors.js'
import { API_KEY_PREFIX, apiKeys } from '../auth/api_keys.js'
import { bearerToken, looksLikeJwt } from '../auth/guard.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import { intern, tenantCache } from '../cache/index.js'
import type { ResourcePrincipal } from '../resources/define_resource.js'

/**
 * Who is calling, as permission checks, row rules, hooks, rate limits and the
 * audit log see it. The extra fields are optional, so a ResourcePrincipal is
 * still a Principal.
 */
export type Principal = ResourcePrincipal & {
  /** API keys: the name a tenant admin gave the key. */
  name?: string
  /**
   * API keys: requests per hour the key may make (the rate limiter reads it);
   * null or absent: the tier of its kind applies.
   */
  rateLimitPerHour?: number | null
  /** The same as the rate limiter's tier shape, present only when the key has a limit of its own. */
  rateLimit?: { requests: number; duration: number }
  /** API keys: the permissions the key is limited to. */
  scopes?: string[]
}

/** Whether `granted` (exact, `<plugin>.*`, `<plugin>.<resource>.*` or `*`) covers `permission`. */
export function permits(granted: Iterable<string>, permission: string) {
  for (const grant of granted) {
    if (grant === '*' || grant === permission) return true
    if (grant.endsWith('.*') && permission.startsWith(grant.slice(0, -1))) return true
  }
  return false
}

/**
 * How the audit log and events name a principal: `user:<id>`, `api_key:<id>`,
 * `platform`, or the name system work gives its platform-kind principal
 * (`public_form:<slug>` for a public form's submissions).
 */
export function actorOf(principal: Pick<Principal, 'kind' | 'id'>) {
  if (principal.kind !== 'platform') return `${principal.kind}:${principal.id}`
  return principal.id
}

/** The user id of the caller, for `decided_by`-style columns (null for the platform and API keys). */
export function userIdOf(principal: Pick<Principal, 'kind' | 'id'>) {
  return principal.kind === 'user' ? principal.id : null
}

/**
 * Forgets the cached role permissions of a tenant (call after a role changes);
 * with `broadcast`, every other Oryne process forgets them too.
 */
export function invalidateRolePermissions(
  tenantId?: string,
  options: { broadcast?: boolean } = {}
) {
  tenantCache.invalidate(
    { tenantId, kind: 'permissions' },
    { broadcast: Boolean(options.broadcast && tenantId) }
  )
}

/**
 * The permissions each role of the current tenant holds, from the tenant
 * cache: one copy of each permission name across roles and tenants.
 */
export async function permissionsByRole(): Promise<Map<string, string[]>> {
  const tenant = tenantContext.require()
  return tenantCache.get('permissions', tenant.id, '', async () => {
    const rows = await readTenantDb((client, table) =>
      client.from(table('roles')).select('name', 'permissions')
    )
    return new Map(rows.map((row) => [intern(row.name), (row.permissions as string[]).map(intern)]))
  })
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
    ...(scopes ? { scopes } : {}),
    // API keys are limited to their scopes, whatever the roles behind them grant.
    can: (permission) => permits(granted, permission) && (!scopes || permits(scopes, permission)),
  }
}

const PLATFORM: Principal = { kind: 'platform', id: 'platform', roles: [], can: () => true }

function digest(value: string) {
  return createHash('sha256').update(value).digest()
}

/** The API key of a request: `X-API-Key: oryne_...`, or `Authorization: Bearer oryne_...`. */
function apiKeyOf(ctx: HttpContext) {
  const header = ctx.request.header('x-api-key')?.trim()
  if (header) return header
  const token = bearerToken(ctx)
  return token?.startsWith(API_KEY_PREFIX) ? token : undefined
}

const PRINCIPAL = Symbol('oryne.principal')

/**
 * Who is calling a tenant route: a tenant user (access JWT of this tenant), a
 * partner API key of this tenant (limited to its scopes), or the platform
 * acting through ORYNE_PLATFORM_TOKEN (every permission). Resolved once per
 * request.
 */
export async function principalOf(ctx: HttpContext): Promise<Principal> {
  const memo = ctx as unknown as Record<symbol, Principal | undefined>
  if (memo[PRINCIPAL]) return memo[PRINCIPAL]
  const apiKey = apiKeyOf(ctx)
  const token = bearerToken(ctx)
  if (!apiKey && !token) throw new E_AUTH_REQUIRED()
  let principal: Principal
  if (apiKey) {
    const key = await apiKeys.authenticate(apiKey)
    principal = {
      kind: 'api_key',
      id: key.id,
      roles: [],
      name: key.name,
      scopes: key.scopes,
      rateLimitPerHour: key.rate_limit_per_hour,
      ...(key.rate_limit_per_hour
        ? { rateLimit: { requests: key.rate_limit_per_hour, duration: 3600 } }
        : {}),
      can: (permission) => permits(key.scopes, permission),
    }
  } else if (looksLikeJwt(token!)) {
    const user = await ctx.auth.use('tenant').authenticate()
    principal = await principalForRoles('user', user.id, user.roles)
  } else {
    const expected = secrets.platformToken()
    if (!expected || !timingSafeEqual(digest(token!), digest(expected)))
      throw new E_AUTH_INVALID_TOKEN()
    principal = PLATFORM
  }
  memo[PRINCIPAL] = principal
  return principal
}

/** The caller this request has already identified, if any; never authenticates (for logs and error reports). */
export function identifiedPrincipal(ctx: HttpContext): Principal | undefined {
  return (ctx as unknown as Record<symbol, Principal | undefined>)[PRINCIPAL]
}

/** The caller, who must hold `permission`; otherwise 403 ERR_FORBIDDEN naming it. */
export async function authorize(ctx: HttpContext, permission: string): Promise<Principal> {
  const principal = await principalOf(ctx)
  if (!principal.can(permission)) throw new E_FORBIDDEN([`this needs the ${permission} permission`])
  return principal
}
