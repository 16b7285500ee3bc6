import tenancyConfig from '#config/tenancy'
import type { JobsService } from './jobs_service.js'
import { billingSweepJob } from '../tenancy/jobs.js'

/**
 * What every worker process starts: processing the registered jobs and the
 * platform's repeatable jobs (bull keeps one schedule per key, however many
 * workers declare it).
 */
export async function startBackgroundWork(jobs: JobsService, queues?: string[]) {
  await jobs.work(queues)
  await jobs.schedule(
    billingSweepJob,
    {},
    { cron: tenancyConfig.billingSweepCron, tz: 'UTC', key: 'billing-sweep', tenantId: null }
  )
}
