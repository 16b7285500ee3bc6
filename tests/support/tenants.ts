import { randomBytes } from 'node:crypto'
import tenancy from '#core/services/tenancy'
import { tenantContext } from '#core/tenancy/context'
import { withTenantDb } from '#core/tenancy/tenant_db'
import type { Tenant } from '#core/tenancy/types'

export const PLATFORM_TOKEN = () => process.env.ORYNE_PLATFORM_TOKEN!

/** A slug no other test uses. */
export function uniqueSlug(prefix = 't') {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

/** Registers and provisions a tenant right away (the queued job, if a worker picks it up too, finds it active). */
export async function activeTenant(
  options: { slug?: string; adminEmail?: string; plan?: string } = {}
): Promise<Tenant> {
  const slug = options.slug ?? uniqueSlug()
  const created = await tenancy.create(
    {
      slug,
      name: `School ${slug}`,
      adminEmail: options.adminEmail ?? `admin@${slug}.example`,
      plan: options.plan,
    },
    'test'
  )
  const { tenant } = await tenancy.provisionNow(created.id, 'test')
  return tenant
}

/** Adds `count` invited users to the tenant's own schema, with emails at @<slug>.example. */
export async function addUsers(tenant: Tenant, count: number) {
  await tenantContext.run(tenant, () =>
    withTenantDb(async (trx) => {
      const rows = Array.from({ length: count }, (_, i) => ({
        email: `user${i}@${tenant.slug}.example`,
        name: `User ${i}`,
      }))
      await trx.insertQuery().table('users').multiInsert(rows)
    })
  )
}
