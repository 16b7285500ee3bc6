import type { TenancyService } from './tenancy_service.js'
import type { Tenant } from './types.js'

export const DEMO_SLUG = 'demo'
export const DEMO_ADMIN_EMAIL = 'admin@demo.oryne.local'

/**
 * The `demo` tenant of `oryne up`: created and provisioned on the first run,
 * brought back to active on later ones (a failed or half-provisioned demo is
 * provisioned again), with a fresh admin invite token each time.
 */
export async function ensureDemoTenant(
  tenancy: TenancyService,
  actor: string
): Promise<{ tenant: Tenant; created: boolean; inviteToken: string | null }> {
  let tenant = await tenancy.registry.find(DEMO_SLUG)
  const created = !tenant
  if (!tenant) {
    tenant = await tenancy.registry.create(
      {
        slug: DEMO_SLUG,
        name: 'Oryne Demo School',
        adminEmail: DEMO_ADMIN_EMAIL,
        settings: { time_zone: 'UTC', locale: 'en', currency: 'USD' },
      },
      actor
    )
  }
  if (tenant.status === 'failed')
    tenant = await tenancy.registry.transition(tenant, 'provisioning', { actor, event: 'retry' })
  if (tenant.status === 'provisioning') {
    const provisioned = await tenancy.provisionNow(tenant.id, actor)
    tenant = provisioned.tenant
  }
  // A demo a platform admin suspended or archived on purpose stays that way.
  const inviteToken =
    tenant.status === 'active'
      ? await tenancy.provisioner.inviteAdmin(tenant, tenant.admin_email ?? DEMO_ADMIN_EMAIL)
      : null
  return { tenant, created, inviteToken }
}
