import { rm } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import { defineJob } from '../jobs/define_job.js'
import type { Tenant } from '../tenancy/types.js'
import { createTenantBackup } from './create.js'

/*
 * Scheduled backups: every active tenant is backed up by a repeatable job,
 * and its scheduled archives are thinned to the newest one per day for the
 * last `daily` days and the newest one per month for the last `monthly`
 * months. Archives taken by hand, before an uninstall or a restore are never
 * pruned.
 */

export const SCHEDULED_REASON = 'scheduled'

export type RetentionPolicy = { daily: number; monthly: number }

export function retentionPolicy(): RetentionPolicy {
  const read = (name: string, fallback: number) => {
    const value = Number(process.env[name])
    return Number.isInteger(value) && value >= 0 ? value : fallback
  }
  return {
    daily: read('ORYNE_BACKUP_KEEP_DAILY', 7),
    monthly: read('ORYNE_BACKUP_KEEP_MONTHLY', 12),
  }
}

type Dated = { id: string; created_at: Date }

/**
 * Which of a tenant's scheduled backups retention drops: kept are the newest
 * of each of the `daily` most recent days that have one, and the newest of
 * each of the `monthly` most recent months (UTC). The newest backup is always kept.
 */
export function expiredBackups<T extends Dated>(backups: T[], policy: RetentionPolicy): T[] {
  const newestFirst = [...backups].sort((a, b) => b.created_at.getTime() - a.created_at.getTime())
  const keep = new Set<string>(newestFirst.slice(0, 1).map((b) => b.id))
  const pick = (bucket: (date: Date) => string, count: number) => {
    const seen = new Set<string>()
    for (const backup of newestFirst) {
      const key = bucket(backup.created_at)
      if (seen.has(key)) continue
      if (seen.size >= count) break
      seen.add(key)
      keep.add(backup.id)
    }
  }
  pick((date) => date.toISOString().slice(0, 10), policy.daily)
  pick((date) => date.toISOString().slice(0, 7), policy.monthly)
  return newestFirst.filter((backup) => !keep.has(backup.id))
}

/** Deletes the scheduled archives of a tenant that retention no longer keeps; returns how many. */
export async function pruneBackups(tenantId: string, policy = retentionPolicy()) {
  const rows = await db
    .from('tenant_backups')
    .where({ tenant_id: tenantId, reason: SCHEDULED_REASON })
    .select('id', 'path', 'created_at')
  const expired = expiredBackups(rows, policy)
  for (const backup of expired) {
    await rm(backup.path, { force: true })
    await db.from('tenant_backups').where('id', backup.id).delete()
  }
  return expired.length
}

/** One scheduled round: back up every active tenant, then prune; a failing tenant does not stop the others. */
export async function runScheduledBackups(
  tenants: Tenant[],
  log: { error(obj: object, msg: string): void } = console
) {
  const summary = { backed_up: 0, pruned: 0, failed: [] as string[] }
  for (const tenant of tenants) {
    try {
      await createTenantBackup(tenant, {
        reason: SCHEDULED_REASON,
        actor: 'system:scheduled_backups',
      })
      summary.backed_up++
      summary.pruned += await pruneBackups(tenant.id)
    } catch (error) {
      summary.failed.push(tenant.slug)
      log.error({ err: error, tenant_id: tenant.id }, 'scheduled backup failed')
    }
  }
  return summary
}

export const scheduledBackupsJob = defineJob<Record<string, never>>({
  name: 'core.scheduled_backups',
  queue: 'backups',
  attempts: 1,
  timeout: 6 * 60 * 60 * 1000,
  async handle(_data, context) {
    const { default: tenancy } = await import('../services/tenancy.js')
    const tenants: Tenant[] = []
    for (let page = 1; ; page++) {
      const batch = await tenancy.registry.list({ status: 'active', page, perPage: 500 })
      tenants.push(...batch.tenants)
      if (page >= batch.pagination.last_page) break
    }
    return runScheduledBackups(tenants, context.logger)
  },
})
