import { E_FORBIDDEN } from '../errors.js'
import { permits, principalForRoles, type Principal } from '../rbac/authorize.js'
import { readTenantDb } from '../tenancy/tenant_db.js'

/*
 * Queued work (exports, scheduled reports) runs as the person who asked for
 * it, with their permissions and row rules as they are when it runs: a role
 * taken away in between takes the data away too.
 */

/** What a job keeps of its principal. */
export type StoredPrincipal = { kind: Principal['kind']; id: string; scopes?: string[] }

export function storePrincipal(principal: Principal): StoredPrincipal {
  return {
    kind: principal.kind,
    id: principal.id,
    ...(principal.kind === 'api_key' ? { scopes: principal.scopes ?? [] } : {}),
  }
}

/** The user's current roles (active users only). */
async function rolesOf(userId: string): Promise<string[] | null> {
  return readTenantDb(async (client, table) => {
    const user = await client.from(table('users')).where('id', userId).select('status').first()
    if (!user || user.status === 'disabled') return null
    const rows = await client
      .from(table('user_roles', 'ur'))
      .join(table('roles', 'r'), 'r.id', 'ur.role_id')
      .where('ur.user_id', userId)
      .select('r.name')
    return rows.map((row) => row.name as string)
  })
}

/** The principal again, in the current tenant; ERR_FORBIDDEN when the user is gone or disabled. */
export async function restorePrincipal(stored: StoredPrincipal): Promise<Principal> {
  if (stored.kind === 'platform')
    return { kind: 'platform', id: 'platform', roles: [], can: () => true }
  if (stored.kind === 'api_key') {
    const scopes = stored.scopes ?? []
    return { kind: 'api_key', id: stored.id, roles: [], scopes, can: (p) => permits(scopes, p) }
  }
  const roles = await rolesOf(stored.id)
  if (!roles) throw new E_FORBIDDEN(['the account that asked for this is disabled or gone'])
  return principalForRoles('user', stored.id, roles)
}

/** The principal of a user of the current tenant (scheduled reports run as their subscriber). */
export function userPrincipal(userId: string) {
  return restorePrincipal({ kind: 'user', id: userId })
}
