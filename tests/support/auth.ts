import tenancy from '#core/services/tenancy'
import { identity } from '#core/auth/identity'
import { clock } from '#core/auth/clock'
import { tenantContext } from '#core/tenancy/context'
import type { Tenant } from '#core/tenancy/types'
import { uniqueSlug } from '#tests/support/tenants'

/** A password the policy accepts. */
export const PASSWORD = 'Maple-Syrup-2031'
export const OTHER_PASSWORD = 'Harbour-Lights-77'

/** A provisioned tenant and the invite token of its admin (`admin@<slug>.example`). */
export async function tenantWithInvite(): Promise<{
  tenant: Tenant
  adminEmail: string
  inviteToken: string
}> {
  const slug = uniqueSlug('auth')
  const adminEmail = `admin@${slug}.example`
  const created = await tenancy.create({ slug, name: `School ${slug}`, adminEmail }, 'test')
  const { tenant, inviteToken } = await tenancy.provisionNow(created.id, 'test')
  return { tenant, adminEmail, inviteToken: inviteToken! }
}

/** Adds a user to the tenant, active with PASSWORD unless `password: null` (then invited). */
export async function createUser(
  tenant: Tenant,
  options: { email: string; role: string; password?: string | null }
) {
  const password = options.password === null ? undefined : (options.password ?? PASSWORD)
  return tenantContext.run(tenant, () =>
    identity.tenantUsers.create({ email: options.email, role: options.role, password })
  )
}

/** Runs `fn` with the identity clock moved `ms` ahead, then puts it back. */
export async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const original = clock.now
  clock.now = () => new Date(Date.now() + ms)
  try {
    return await fn()
  } finally {
    clock.now = original
  }
}

/** The claims of a JWT, unverified (tests read what the server signed). */
export function claimsOf(token: string) {
  const [header, payload] = token.split('.').slice(0, 2)
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()),
  }
}
