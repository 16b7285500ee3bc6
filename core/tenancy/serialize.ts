import type { Tenant } from './types.js'

/** A tenant as the platform API and `oryne tenant ... --json` show it. */
export function serializeTenant(tenant: Tenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    status: tenant.status,
    plan: tenant.plan,
    paid_until: tenant.paid_until,
    schema: tenant.schema_name,
    settings: tenant.settings,
    provisioning: tenant.provisioning,
    admin_email: tenant.admin_email,
    created_at: tenant.created_at,
    updated_at: tenant.updated_at,
  }
}
