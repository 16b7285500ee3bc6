import db from '@adonisjs/lucid/services/db'
import type { JobsService } from '../jobs/jobs_service.js'
import type { PluginManifest, PluginSchedule } from './define_plugin.js'
import type { PluginHost } from './plugin_host.js'

/** One schedule per tenant, plugin and job: scheduling again replaces, never adds. */
function optionsOf(manifest: PluginManifest, schedule: PluginSchedule, tenantId: string) {
  return {
    tenantId,
    // bull splits repeat keys on ":", so the key has none.
    key: `${manifest.name}.${tenantId}`,
    ...(schedule.cron
      ? { cron: schedule.cron, tz: schedule.tz ?? 'UTC' }
      : { every: schedule.every }),
  }
}

/** Starts the per-tenant schedules of plugins a tenant just enabled. */
export async function startPluginSchedules(
  jobs: JobsService,
  tenantId: string,
  manifests: PluginManifest[]
) {
  for (const manifest of manifests) {
    for (const schedule of manifest.schedules ?? []) {
      await jobs.schedule(schedule.job, {}, optionsOf(manifest, schedule, tenantId))
    }
  }
}

/** Stops the per-tenant schedules of a plugin a tenant disabled. */
export async function stopPluginSchedules(
  jobs: JobsService,
  tenantId: string,
  manifest: PluginManifest
) {
  for (const schedule of manifest.schedules ?? []) {
    await jobs.unschedule(schedule.job, optionsOf(manifest, schedule, tenantId))
  }
}

/**
 * What a worker declares when it starts: the schedules of every plugin, for
 * every tenant that has it enabled (bull keeps one schedule per key, so
 * workers declaring the same ones add nothing).
 */
export async function declareAllPluginSchedules(jobs: JobsService, plugins: PluginHost) {
  const scheduled = plugins.available().filter(({ manifest }) => manifest.schedules?.length)
  if (!scheduled.length) return 0
  const rows = await db
    .from('tenant_plugins')
    .join('tenants', 'tenants.id', 'tenant_plugins.tenant_id')
    .where('tenant_plugins.status', 'enabled')
    .where('tenants.status', 'active')
    .whereIn(
      'tenant_plugins.plugin',
      scheduled.map(({ manifest }) => manifest.name)
    )
    .select('tenant_plugins.tenant_id', 'tenant_plugins.plugin')
  for (const row of rows) {
    await startPluginSchedules(jobs, row.tenant_id, [plugins.plugin(row.plugin)])
  }
  return rows.length
}
