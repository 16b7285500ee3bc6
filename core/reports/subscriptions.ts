import cronParser from 'cron-parser'
import { DateTime } from 'luxon'
import { E_VALIDATION } from '../errors.js'
import { defineJob } from '../jobs/define_job.js'
import { notify } from '../notifications/index.js'
import { actorOf, type Principal } from '../rbac/authorize.js'
import { fileUrl } from '../storage/index.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import { dashboard } from './dashboard.js'
import { E_REPORT_SCHEDULE_INVALID, E_REPORT_SUBSCRIPTION_NOT_FOUND } from './errors.js'
import { checkExport, createExportOf, runExport } from './exports.js'
import { listQueryString, type ListInput } from './list_query.js'
import { userPrincipal } from './principals.js'

/*
 * Scheduled reports: a tenant admin subscribes a user (themselves by default)
 * to an export or a digest of the dashboard, on a cron schedule read in the
 * tenant's time zone ("0 6 * * *" is 06:00 there). Each run acts as the
 * recipient — their permissions and row rules — and reaches them through the
 * notification service (in-app, and the other channels their preferences
 * allow), with a download link for exports.
 */

/** How long the link in a scheduled report's notification works. */
const LINK_TTL_SECONDS = 7 * 24 * 3600
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Row = Record<string, any>

export type SubscriptionInput = ListInput & {
  kind: 'export' | 'digest'
  title?: string
  cron: string
  user_id?: string
  resource?: string
  format?: string
}

function zoneOf() {
  return tenantContext.require().settings.time_zone || 'UTC'
}

/** The next run of `cron` in `zone`, or ERR_REPORT_SCHEDULE_INVALID. */
function nextRun(cron: string, zone: string): string {
  if (cron.split(/\s+/).length !== 5)
    throw new E_REPORT_SCHEDULE_INVALID([cron, 'it needs five fields'])
  try {
    return cronParser.parseExpression(cron, { tz: zone }).next().toDate().toISOString()
  } catch (error) {
    throw new E_REPORT_SCHEDULE_INVALID([cron, (error as Error).message])
  }
}

function present(row: Row) {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    user_id: row.user_id,
    resource: row.resource,
    format: row.format,
    query: row.query,
    cron: row.cron,
    time_zone: row.time_zone,
    next_run_at: nextRun(row.cron, row.time_zone),
    last_run_at: row.last_run_at ? new Date(row.last_run_at).toISOString() : null,
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
  }
}

const scheduleOf = (row: Row) => ({
  tenantId: tenantContext.require().id,
  cron: row.cron,
  tz: row.time_zone,
  key: `report-subscription-${row.id}`,
})

async function jobs() {
  const { default: service } = await import('../services/jobs.js')
  return service
}

/** Subscribes a user; checks the report as that user would get it, then schedules it. */
export async function subscribe(input: SubscriptionInput, admin: Principal) {
  const zone = zoneOf()
  nextRun(input.cron, zone)
  const userId = input.user_id ?? (admin.kind === 'user' ? admin.id : undefined)
  if (!userId)
    throw new E_VALIDATION([], {
      details: [
        { field: 'user_id', rule: 'required', message: 'Name the user who receives the report' },
      ],
    })
  const exists = await readTenantDb((client, table) =>
    client.from(table('users')).where('id', userId).whereNot('status', 'disabled').first()
  )
  if (!exists)
    throw new E_VALIDATION([], {
      details: [{ field: 'user_id', rule: 'exists', message: `No active user "${userId}"` }],
    })
  const query = input.kind === 'export' ? listQueryString(input) : ''
  if (input.kind === 'export')
    await checkExport(input.resource!, input.format ?? 'csv', query, await userPrincipal(userId))

  const row = await withTenantDb(async (trx) => {
    const [inserted] = await trx
      .insertQuery()
      .table('report_subscriptions')
      .insert({
        user_id: userId,
        kind: input.kind,
        title:
          input.title ??
          (input.kind === 'export' ? `Export of ${input.resource}` : 'Dashboard digest'),
        resource: input.kind === 'export' ? input.resource : null,
        format: input.kind === 'export' ? (input.format ?? 'csv') : null,
        query,
        cron: input.cron,
        time_zone: zone,
        created_by: actorOf(admin),
      })
      .returning('*')
    return inserted as Row
  })
  try {
    const service = await jobs()
    await service.schedule(reportSubscriptionJob, { subscription_id: row.id }, scheduleOf(row))
  } catch (error) {
    await withTenantDb((trx) => trx.from('report_subscriptions').where('id', row.id).delete())
    throw error
  }
  return present(row)
}

export async function listSubscriptions() {
  const rows = await readTenantDb((client, table) =>
    client.from(table('report_subscriptions')).orderBy('created_at')
  )
  return rows.map(present)
}

async function findSubscription(id: string): Promise<Row> {
  const row = UUID.test(id)
    ? await readTenantDb((client, table) =>
        client.from(table('report_subscriptions')).where('id', id).first()
      )
    : undefined
  if (!row) throw new E_REPORT_SUBSCRIPTION_NOT_FOUND([id.slice(0, 40)])
  return row
}

export async function unsubscribe(id: string) {
  const row = await findSubscription(id)
  const service = await jobs()
  await service.unschedule(reportSubscriptionJob, scheduleOf(row))
  await withTenantDb((trx) => trx.from('report_subscriptions').where('id', row.id).delete())
  return { id: row.id, deleted: true }
}

function summarise(value: unknown): string {
  if (value === null || value === undefined) return 'n/a'
  if (typeof value !== 'object') return String(value)
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${key.replaceAll('_', ' ')} ${item ?? 'n/a'}`)
    .join(', ')
}

/** One run of a subscription, in the current tenant: the report made and sent to its user. */
export async function runSubscription(id: string) {
  const subscription = await findSubscription(id)
  const principal = await userPrincipal(subscription.user_id)
  const date = DateTime.now().setZone(subscription.time_zone).toISODate()!
  let sent
  if (subscription.kind === 'export') {
    const created = await createExportOf(
      subscription.resource,
      subscription.format,
      subscription.query,
      principal,
      { subscriptionId: subscription.id }
    )
    const done = await runExport(created.id)
    if (done.status !== 'completed')
      throw new Error(`export ${done.id} ${done.status}: ${done.error}`)
    const link = await fileUrl(done.file_id, { ttlSeconds: LINK_TTL_SECONDS })
    sent = await notify({
      userIds: [subscription.user_id],
      template: 'core.report_ready',
      data: {
        title: subscription.title,
        rows: done.row_count,
        url: link.url,
        expires_at: link.expires_at,
        export_id: done.id,
        subscription_id: subscription.id,
      },
      dedupKey: done.id,
    })
  } else {
    const stats = await dashboard(principal)
    sent = await notify({
      userIds: [subscription.user_id],
      template: 'core.report_digest',
      data: {
        title: subscription.title,
        date,
        summary:
          stats.map((stat) => `${stat.label}: ${summarise(stat.value)}`).join('; ') || 'no figures',
        stats: Object.fromEntries(stats.map((stat) => [stat.key, stat.value])),
        subscription_id: subscription.id,
      },
      dedupKey: `${subscription.id}:${date}:${Date.now()}`,
    })
  }
  await withTenantDb((trx) =>
    trx
      .from('report_subscriptions')
      .where('id', subscription.id)
      .update({ last_run_at: new Date() })
  )
  return sent
}

export const reportSubscriptionJob = defineJob<{ subscription_id: string }>({
  name: 'core.report_subscription',
  queue: 'reports',
  attempts: 3,
  backoff: 60_000,
  timeout: 30 * 60 * 1000,
  handle: async (data) => {
    try {
      return await runSubscription(data.subscription_id)
    } catch (error) {
      // Unsubscribed after this run was queued: nothing to send.
      if (error instanceof E_REPORT_SUBSCRIPTION_NOT_FOUND) return { skipped: 'unsubscribed' }
      throw error
    }
  },
})
