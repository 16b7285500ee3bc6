import tenancyConfig from '#config/tenancy'
import type { JobsService } from './jobs_service.js'
import { billingSweepJob } from '../tenancy/jobs.js'
import { auditRetentionJob } from '../audit/retention.js'
import { scheduledBackupsJob } from '../backup/schedule.js'

/**
 * What a worker process starts: processing the registered jobs and, unless
 * `schedules` is false (workers behind a single `oryne scheduler`), declaring
 * the repeatable jobs (bull keeps one schedule per key, however many
 * processes declare it).
 */
export async function startBackgroundWork(
  jobs: JobsService,
  queues?: string[],
  options: { schedules?: boolean } = {}
) {
  await jobs.work(queues)
  if (options.schedules !== false) await declareSchedules(jobs)
}

/**
 * The platform's repeatable jobs and every enabled plugin's per-tenant
 * schedules. Idempotent: declaring again changes nothing that is in place.
 */
export async function declareSchedules(jobs: JobsService) {
  // Per-tenant schedules of plugins (e.g. the LMS's due-soon sweep), for every tenant that enabled them.
  const { default: app } = await import('@adonisjs/core/services/app')
  const { declareAllPluginSchedules } = await import('../plugins/schedules.js')
  await declareAllPluginSchedules(jobs, await app.container.make('oryne.plugins'))
  // Scheduled collection automations of every active tenant (restored and cloned ones too).
  const { declareAllAutomationSchedules } = await import('../collections/automations/runner.js')
  await declareAllAutomationSchedules(jobs)
  await jobs.schedule(
    billingSweepJob,
    {},
    { cron: tenancyConfig.billingSweepCron, tz: 'UTC', key: 'billing-sweep', tenantId: null }
  )
  await jobs.schedule(
    auditRetentionJob,
    {},
    { cron: '45 2 * * *', tz: 'UTC', key: 'audit-retention', tenantId: null }
  )
  // Daily backups of every active tenant unless ORYNE_BACKUP_SCHEDULE=off (docs/operations.md).
  const backupCron = process.env.ORYNE_BACKUP_SCHEDULE ?? '15 1 * * *'
  if (backupCron === 'off') {
    await jobs.unschedule(scheduledBackupsJob, {
      cron: '15 1 * * *',
      tz: 'UTC',
      key: 'scheduled-backups',
    })
  } else {
    await jobs.schedule(
      scheduledBackupsJob,
      {},
      { cron: backupCron, tz: 'UTC', key: 'scheduled-backups', tenantId: null }
    )
  }
}
