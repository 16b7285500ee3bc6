import { defineJob } from '../jobs/define_job.js'
import type { MigrationMethod } from './migrations/tenant_migrator.js'

/** Queued provisioning of one tenant (platform job: the tenant is in the data, not the context). */
export const provisionTenantJob = defineJob<{
  tenant_id: string
  actor: string
  method: MigrationMethod
}>({
  name: 'core.tenant_provision',
  queue: 'tenancy',
  // The pipeline records its own failure on the tenant; a retry is an explicit `oryne tenant retry`.
  attempts: 1,
  async handle(data) {
    const { default: tenancy } = await import('../services/tenancy.js')
    const { tenant } = await tenancy.provisionNow(data.tenant_id, data.actor, data.method)
    return { status: tenant.status }
  },
})

/** The daily billing sweep (scheduled by every worker; bull keeps one schedule per key). */
export const billingSweepJob = defineJob<Record<string, never>>({
  name: 'core.billing_sweep',
  queue: 'tenancy',
  attempts: 3,
  backoff: 60_000,
  async handle() {
    const { default: tenancy } = await import('../services/tenancy.js')
    return tenancy.billing.sweep()
  },
})
