import type { TenancyService } from './tenancy_service.js'
import type { Tenant } from './types.js'

export const DEMO_SLUG = 'demo'
export const DEMO_ADMIN_EMAIL = 'admin@demo.oryne.local'

/**
 * The `demo` tenant of `oryne up`: created and provisioned on the first run,
 * brought back to active on later ones (a failed or half-provisioned demo is
 * provisioned again). The admin's invite token is returned while it is of use:
 * the one provisioning issued, or a fresh one while the admin has not accepted
 * yet (the previous one may be lost with an old terminal). An admin who has
 * signed up is left alone: no token, no roles touched.
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
  let inviteToken: string | null = null
  if (tenant.status === 'provisioning') {
    const provisioned = await tenancy.provisionNow(tenant.id, actor)
    tenant = provisioned.tenant
    inviteToken = provisioned.inviteToken
  }
  // A demo a platform admin suspended or archived on purpose stays that way.
  if (tenant.status !== 'active') return { tenant, created, inviteToken: null }
  inviteToken ??= await tenancy.provisioner.reinvitePendingAdmin(tenant)
  return { tenant, created, inviteToken }
}
