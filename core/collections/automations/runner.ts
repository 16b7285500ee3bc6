import { AsyncLocalStorage } from 'node:async_hooks'
import logger from '@adonisjs/core/services/logger'
import { onCoreEvent, type OryneEvent } from '../../events/events.js'
import { defineJob } from '../../jobs/define_job.js'
import type { JobsService } from '../../jobs/jobs_service.js'
import { notify } from '../../notifications/notify.js'
import { OryneError } from '../../oryne_error.js'
import { isOutboundError, outboundRequest } from '../../outbound/client.js'
import { tenantContext } from '../../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../../tenancy/tenant_db.js'
import { endpointSecret } from '../../webhooks/endpoints.js'
import { SIGNATURE_HEADER, signatureHeader } from '../../webhooks/signature.js'
import { collectionRecords, SYSTEM_PRINCIPAL } from '../records.js'
import { collectionRow } from '../registry.js'
import { automationConfig } from './config.js'
import { coerce, cronOf, fillText, fillValue, meets, type Action, type Trigger } from './spec.js'

/*
 * Running automations (docs/collections.md, "Automations"). A record created
 * or updated in a collection (its event, after the commit) or a schedule tick
 * makes one run per automation it triggers — a row of
 * `collection_automation_runs` — and queues it; the run job performs the
 * action with the event's record snapshot, retrying with a doubling wait, and
 * leaves the outcome on the row (succeeded with its output, or failed with the
 * error, which the admin may retry by hand).
 */

export type AutomationRow = {
  id: string
  collection: string
  name: string
  trigger: Trigger
  action: Action
  enabled: boolean
  secret: string | null
}

type RunPayload = {
  event: string
  actor: string
  at: string
  record: Record<string, unknown> | null
  changes?: { before: Record<string, unknown>; after: Record<string, unknown> }
  /** How many automations led to this run (0: a person's change or a schedule). */
  depth: number
}

/** A chain of automations (one creating a record that triggers another...) stops at this depth. */
const MAX_DEPTH = 3

/**
 * Set while an automation writes records: the events of its writes know it.
 * An automation's own update never triggers update automations (no loop), and
 * records it creates trigger others only up to MAX_DEPTH.
 */
const acting = new AsyncLocalStorage<{ depth: number }>()

async function jobs() {
  const { default: service } = await import('../../services/jobs.js')
  return service
}

/** Records a run of `automation` and queues it. */
export async function startRun(
  automation: Pick<AutomationRow, 'id'>,
  payload: RunPayload,
  recordId: string | null
) {
  const [run] = await withTenantDb((trx) =>
    trx
      .insertQuery()
      .table('collection_automation_runs')
      .insert({
        automation_id: automation.id,
        record_id: recordId,
        event: payload.event.slice(0, 100),
        status: 'pending',
        payload: JSON.stringify(payload),
      })
      .returning(['id'])
  )
  await queueTry(String(run.id), 1)
  return String(run.id)
}

async function queueTry(runId: string, attempt: number, delay = 0) {
  const service = await jobs()
  await service.dispatch(runAutomationJob, { run_id: runId, try: attempt }, { delay })
}

/** Queues a failed run again (the admin's retry): a new series of tries. */
export async function retryRun(runId: string) {
  await queueTry(runId, 1)
}

const CHANGE = /^collections\.([a-z][a-z0-9_]{1,38})\.(created|updated)$/

/** The automations a record's creation or update triggers, each with a run. */
async function onRecordChange(event: OryneEvent) {
  const [, collection, verb] = CHANGE.exec(event.name)!
  const scope = acting.getStore()
  if (scope && verb === 'updated') return
  const on = verb === 'created' ? 'create' : 'update'
  const rows: AutomationRow[] = await readTenantDb((client, table) =>
    client
      .from(table('collection_automations'))
      .where('collection', collection)
      .where('enabled', true)
      .whereRaw(`"trigger"->>'on' = ?`, [on])
      .orderBy('id')
      .select('id', 'trigger')
  )
  if (!rows.length) return
  if (scope && scope.depth >= MAX_DEPTH) {
    logger.warn(
      { event: event.name, tenant_id: event.tenantId, depth: scope.depth },
      'collection automations not run: too deep a chain of automations'
    )
    return
  }
  const payload = event.payload as {
    id: string
    record: Record<string, unknown>
    changes?: RunPayload['changes']
  }
  for (const row of rows) {
    const trigger = row.trigger
    if (
      trigger.on === 'update' &&
      trigger.field &&
      !Object.hasOwn(payload.changes?.after ?? {}, trigger.field)
    )
      continue
    if (!meets(trigger.when, payload.record)) continue
    await startRun(
      row,
      {
        event: event.name,
        actor: event.actor,
        at: event.at.toISOString(),
        record: payload.record,
        ...(payload.changes ? { changes: payload.changes } : {}),
        depth: scope?.depth ?? 0,
      },
      String(payload.id)
    )
  }
}

onCoreEvent((event) => CHANGE.test(event.name), onRecordChange)

/** The user ids a notify action reaches: active users only. */
async function recipients(
  to: Extract<Action, { type: 'notify' }>['to'],
  record: Record<string, unknown>
) {
  if ('role' in to)
    return readTenantDb(async (client, table) => {
      const rows = await client
        .from(table('users', 'u'))
        .join(table('user_roles', 'ur'), 'ur.user_id', 'u.id')
        .join(table('roles', 'r'), 'r.id', 'ur.role_id')
        .where('r.name', to.role)
        .where('u.status', 'active')
        .distinct('u.id')
      return rows.map((row) => String(row.id))
    })
  const id = 'user_id' in to ? to.user_id : record[to.user_field]
  return typeof id === 'string' && id ? [id] : []
}

/** The JSON a webhook action posts: the event, as core's webhooks send one. */
function webhookBody(run: Record<string, any>, payload: RunPayload) {
  return JSON.stringify({
    id: `automation-run-${run.id}`,
    event: payload.event,
    tenant_id: tenantContext.require().id,
    occurred_at: payload.at,
    actor: payload.actor,
    automation: { id: String(run.automation_id), name: run.name },
    data: {
      collection: run.collection,
      id: run.record_id,
      record: payload.record,
      ...(payload.changes ? { changes: payload.changes } : {}),
    },
  })
}

async function post(run: Record<string, any>, url: string, payload: RunPayload) {
  const body = webhookBody(run, payload)
  try {
    const response = await outboundRequest({
      service: 'automation webhook',
      url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Oryne-Automations/1',
        'oryne-event': payload.event,
        'oryne-delivery': `automation-run-${run.id}`,
        ...(run.secret
          ? {
              [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(
                endpointSecret({ secret: run.secret }),
                body
              ),
            }
          : {}),
      },
      body,
      maxResponseBytes: 64 * 1024,
    })
    if (response.status < 200 || response.status >= 300)
      throw new Error(`the webhook answered ${response.status}`)
    return { status: response.status }
  } catch (error) {
    if (!isOutboundError(error)) throw error
    const { status, location, address, range } = error.upstream
    const message =
      error.code === 'ERR_UPSTREAM_REDIRECT'
        ? `redirect to ${location ?? '?'} not followed`
        : error.code === 'ERR_UPSTREAM_ADDRESS_REFUSED'
          ? `refused: ${address} is not a public address (${range}); see ORYNE_OUTBOUND_ALLOW`
          : `${error.code}: ${error.message}${status ? ` (status ${status})` : ''}`
    throw new Error(message)
  }
}

/** Performs a run's action; its answer is the run's output. */
async function perform(run: Record<string, any>, payload: RunPayload) {
  const action = run.action as Action
  const record = payload.record ?? {}
  const origin = { principal: SYSTEM_PRINCIPAL }
  const asAutomation = <T>(fn: () => Promise<T>) => acting.run({ depth: payload.depth + 1 }, fn)
  switch (action.type) {
    case 'notify': {
      const userIds = await recipients(action.to, record)
      if (!userIds.length) return { notified: 0 }
      const sent = await notify({
        userIds,
        template: 'core.collection_automation',
        data: { title: fillText(action.title, record), body: fillText(action.body, record) },
        // A retry after a partial failure does not notify twice.
        dedupKey: `automation-run:${run.id}`,
      })
      return { notified: sent.in_app, queued: sent.queued, skipped: sent.skipped.length }
    }
    case 'webhook':
      return post(run, action.url, payload)
    case 'set_field': {
      if (!run.record_id) throw new Error('the run has no record to set a field on')
      const { definition } = await collectionRow(run.collection)
      const value = coerce(definition.fields[action.field], fillValue(action.value, record))
      await asAutomation(() =>
        collectionRecords.update(
          run.collection,
          String(run.record_id),
          { [action.field]: value },
          origin
        )
      )
      return { id: String(run.record_id), field: action.field, value }
    }
    case 'create_record': {
      const { definition } = await collectionRow(action.collection)
      const values = Object.fromEntries(
        Object.entries(action.values).map(([key, value]) => [
          key,
          coerce(definition.fields[key], fillValue(value, record)),
        ])
      )
      const created = await asAutomation(() =>
        collectionRecords.create(action.collection, values, origin)
      )
      return { collection: action.collection, id: String(created.id) }
    }
  }
}

/** What a run's error column keeps: the message, with the details of a catalog error. */
function describe(error: unknown): string {
  if (error instanceof OryneError) {
    const details = error.details
    return `${error.code}: ${error.message}${details ? ` ${JSON.stringify(details)}` : ''}`.slice(
      0,
      2000
    )
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000)
}

/** A catalog error of the request's own making (4xx) fails alike at every try: no retry. */
function permanent(error: unknown) {
  return error instanceof OryneError && error.status < 500
}

/** One try of a run: claimed from pending, performed, then succeeded, retried later or failed. */
async function attemptRun(runId: string, attempt: number) {
  const run = await withTenantDb(async (trx) => {
    const [claimed] = await trx
      .from('collection_automation_runs')
      .where('id', runId)
      .where('status', 'pending')
      .update({
        status: 'running',
        attempts: trx.raw('attempts + 1'),
        started_at: new Date(),
      })
      .returning(['id', 'automation_id', 'record_id', 'payload', 'attempts'])
    if (!claimed) return undefined
    const automation = await trx
      .from('collection_automations')
      .where('id', claimed.automation_id)
      .select('collection', 'name', 'action', 'enabled', 'secret')
      .first()
    return automation ? { ...claimed, ...automation } : { ...claimed, missing: true }
  })
  if (!run) return { skipped: 'not pending' }
  const finish = (values: Record<string, unknown>) =>
    withTenantDb((trx) => trx.from('collection_automation_runs').where('id', runId).update(values))
  if (run.missing || !run.enabled) {
    await finish({
      status: 'failed',
      error: run.missing ? 'the automation was removed' : 'the automation is disabled',
      finished_at: new Date(),
    })
    return { skipped: 'disabled' }
  }
  try {
    const output = await perform(run, run.payload as RunPayload)
    await finish({
      status: 'succeeded',
      error: null,
      output: JSON.stringify(output),
      finished_at: new Date(),
    })
    return output
  } catch (error) {
    const message = describe(error)
    if (attempt < automationConfig.attempts() && !permanent(error)) {
      await finish({ status: 'pending', error: message })
      await queueTry(runId, attempt + 1, automationConfig.backoffMs() * 2 ** (attempt - 1))
      return { retrying: message }
    }
    await finish({ status: 'failed', error: message, finished_at: new Date() })
    return { failed: message }
  }
}

/**
 * One try of an automation run; retries are queued by the run itself (with
 * the current attempts and backoff settings), so bull tries each job once.
 */
export const runAutomationJob = defineJob<{ run_id: string; try: number }>({
  name: 'core.collection_automation_run',
  queue: 'automations',
  attempts: 1,
  concurrency: 5,
  handle: (data) => attemptRun(data.run_id, data.try),
})

type ScheduledRow = AutomationRow & { trigger: Extract<Trigger, { on: 'schedule' }> }

/** Where a schedule tick's records come from: those meeting `when`, page by page, up to the limit. */
async function scheduledRecords(row: ScheduledRow) {
  const when = row.trigger.when!
  const limit = automationConfig.scheduledRecords()
  const records: Array<Record<string, unknown>> = []
  for (let page = 1; records.length < limit; page++) {
    const query = new URLSearchParams({ per_page: '100', page: String(page), sort: 'id' })
    if (when.equals === null) query.set(`filter[${when.field}][null]`, 'true')
    else query.set(`filter[${when.field}][eq]`, String(when.equals))
    const { data, pagination } = await collectionRecords.list(
      row.collection,
      SYSTEM_PRINCIPAL,
      query.toString()
    )
    records.push(...(data as Array<Record<string, unknown>>))
    if (!('last_page' in pagination) || page >= (pagination.last_page as number)) break
  }
  return records.slice(0, limit)
}

type Tick = { automation_id: string; cron?: string; tz?: string }

/** Removes the repeatable job a tick came from: its automation is gone, disabled or rescheduled. */
async function dropSchedule(tick: Tick) {
  if (!tick.cron) return
  const service = await jobs()
  await service.unschedule(automationScheduleJob, {
    cron: tick.cron,
    tz: tick.tz ?? zoneOf(),
    key: scheduleKeyOf(tick.automation_id),
  })
}

/**
 * A schedule tick: one run per record meeting `when`, or one run without a
 * record. A tick of a schedule that no longer matches its automation (removed,
 * disabled, another trigger, or the institution moved to another time zone)
 * removes that schedule instead; in another zone it is declared again there.
 */
export async function runSchedule(tick: Tick) {
  const row = (await readTenantDb((client, table) =>
    client
      .from(table('collection_automations'))
      .where('id', tick.automation_id)
      .select('id', 'collection', 'name', 'trigger', 'action', 'enabled')
      .first()
  )) as ScheduledRow | undefined
  if (!row || !row.enabled || row.trigger.on !== 'schedule') {
    await dropSchedule(tick)
    return { skipped: 'not scheduled' }
  }
  if (tick.cron && tick.cron !== cronOf(row.trigger)) {
    await dropSchedule(tick)
    return { skipped: 'rescheduled' }
  }
  if (tick.tz && tick.tz !== zoneOf()) {
    await dropSchedule(tick)
    await syncSchedule(String(row.id), null, row)
    return { skipped: 'time zone changed' }
  }
  const at = new Date()
  await withTenantDb((trx) =>
    trx.from('collection_automations').where('id', row.id).update({ last_scheduled_at: at })
  )
  const base = {
    event: `collections.${row.collection}.schedule`,
    actor: 'system',
    at: at.toISOString(),
    depth: 0,
  }
  if (!row.trigger.when) return { runs: [await startRun(row, { ...base, record: null }, null)] }
  const runs: string[] = []
  for (const record of await scheduledRecords(row))
    runs.push(await startRun(row, { ...base, record }, String(record.id)))
  return { runs }
}

/** A schedule tick of one automation (a bull repeatable job per automation, in the tenant's zone). */
export const automationScheduleJob = defineJob<Tick>({
  name: 'core.collection_automation_schedule',
  queue: 'automations',
  attempts: 3,
  backoff: 60_000,
  handle: (data) => runSchedule(data),
})

function zoneOf() {
  return tenantContext.require().settings.time_zone || 'UTC'
}

function scheduleOptions(automationId: string, trigger: Extract<Trigger, { on: 'schedule' }>) {
  return {
    tenantId: tenantContext.require().id,
    cron: cronOf(trigger),
    tz: zoneOf(),
    key: scheduleKeyOf(automationId),
  }
}

/**
 * Keeps the repeatable job of an automation in step with it: `before` is the
 * trigger it was scheduled with (if any), `after` what it is now (null when
 * removed or disabled).
 */
export async function syncSchedule(
  automationId: string,
  before: { trigger: Trigger; enabled: boolean } | null,
  after: { trigger: Trigger; enabled: boolean } | null,
  service?: JobsService
) {
  service ??= await jobs()
  if (before?.enabled && before.trigger.on === 'schedule') {
    const options = scheduleOptions(automationId, before.trigger)
    await service.unschedule(automationScheduleJob, options)
  }
  if (after?.enabled && after.trigger.on === 'schedule') {
    const options = scheduleOptions(automationId, after.trigger)
    await service.schedule(
      automationScheduleJob,
      { automation_id: automationId, cron: options.cron, tz: options.tz },
      options
    )
  }
}

/** The repeat key of an automation's schedule; bull splits repeat keys on ":", so it has none. */
export function scheduleKeyOf(automationId: string) {
  return `collection-automation-${tenantContext.require().id}-${automationId}`
}

/**
 * Declares the schedules of every active tenant's scheduled automations:
 * workers at start and `oryne scheduler` every few minutes, so that a
 * restored or cloned tenant's schedules run, and those an inline driver lost
 * at a restart come back. A tenant that cannot be read is logged and skipped.
 */
export async function declareAllAutomationSchedules(service?: JobsService) {
  const { default: tenancy } = await import('../../services/tenancy.js')
  let declared = 0
  for (let page = 1; ; page++) {
    const batch = await tenancy.registry.list({ status: 'active', page, perPage: 500 })
    for (const tenant of batch.tenants) {
      try {
        declared += await tenantContext.run(tenant, async () => {
          const rows: AutomationRow[] = await readTenantDb((client, table) =>
            client
              .from(table('collection_automations'))
              .where('enabled', true)
              .whereRaw(`"trigger"->>'on' = 'schedule'`)
              .select('id', 'trigger', 'enabled')
          )
          for (const row of rows) await syncSchedule(String(row.id), null, row, service)
          return rows.length
        })
      } catch (error) {
        // A schema not migrated to collections yet (`oryne migrate` is behind) has none to declare.
        if ((error as { code?: string }).code === '42P01') continue
        logger.error(
          { err: error, tenant_id: tenant.id },
          'collection automation schedules not declared'
        )
      }
    }
    if (page >= batch.pagination.last_page) break
  }
  return declared
}
