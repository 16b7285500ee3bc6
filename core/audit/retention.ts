import db from '@adonisjs/lucid/services/db'
import secrets from '#config/secrets'
import { defineJob } from '../jobs/define_job.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'

/** How long audit entries are kept: ORYNE_AUDIT_RETENTION_DAYS, one year by default. */
export function auditRetentionDays() {
  return secrets.auditRetentionDays()
}

/**
 * Deletes every tenant's audit entries older than the retention period, one
 * tenant (one short transaction) at a time. Returns what it removed.
 */
export async function pruneAuditLogs(options: { days?: number; now?: Date } = {}) {
  const days = options.days ?? auditRetentionDays()
  const cutoff = new Date((options.now ?? new Date()).getTime() - days * 86_400_000)
  const { default: tenancy } = await import('../services/tenancy.js')
  const rows = await db
    .from('tenants')
    .whereIn('status', ['active', 'suspended', 'archived'])
    .orderBy('created_at')
    .select('id')
  let deleted = 0
  for (const row of rows) {
    const tenant = await tenancy.registry.findOrFail(row.id)
    deleted += await tenantContext.run(tenant, () =>
      withTenantDb(async (trx) =>
        Number(await trx.from('audit_log').where('created_at', '<', cutoff).delete())
      )
    )
  }
  return { tenants: rows.length, deleted, cutoff: cutoff.toISOString(), retention_days: days }
}

/** The daily audit retention sweep (a platform job, scheduled by every worker under one key). */
export const auditRetentionJob = defineJob<Record<string, never>>({
  name: 'core.audit_retention',
  queue: 'tenancy',
  attempts: 3,
  backoff: 60_000,
  handle: () => pruneAuditLogs(),
})
