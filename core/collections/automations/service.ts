import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordAudit } from '../../audit/audit.js'
import { readTenantDb, withTenantDb } from '../../tenancy/tenant_db.js'
import { endpointSecret, sealedNewSecret } from '../../webhooks/endpoints.js'
import { collectionRow } from '../registry.js'
import {
  E_AUTOMATION_DISABLED,
  E_AUTOMATION_NOT_FOUND,
  E_AUTOMATION_RUN_NOT_FAILED,
  E_AUTOMATION_RUN_NOT_FOUND,
} from './errors.js'
import { retryRun, syncSchedule, type AutomationRow } from './runner.js'
import { checkReferences, parseAutomation, type Action, type Trigger } from './spec.js'

/*
 * A collection's automations as the tenant admin manages them
 * (/api/v1/admin/collections/:name/automations): checked on save, their
 * schedules kept in step, their runs listed and retried by hand.
 */

export type AutomationInput = {
  name: string
  enabled?: boolean
  trigger: unknown
  action: unknown
}

type Row = Record<string, any>

const ID = /^\d{1,18}$/
const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null)

/** An automation as the API shows it; a webhook's secret only once, when it is made. */
export function presentAutomation(row: Row, secret?: string) {
  return {
    id: String(row.id),
    collection: row.collection,
    name: row.name,
    trigger: row.trigger as Trigger,
    action: row.action as Action,
    enabled: row.enabled,
    signed: !!row.secret,
    last_scheduled_at: iso(row.last_scheduled_at),
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
    ...(secret ? { secret } : {}),
  }
}

function presentRun(row: Row) {
  return {
    id: String(row.id),
    automation_id: String(row.automation_id),
    record_id: row.record_id ?? null,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    error: row.error ?? null,
    output: row.output ?? null,
    created_at: iso(row.created_at)!,
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
  }
}

function audit(
  trx: TransactionClientContract,
  actor: string,
  verb: string,
  row: Row,
  data: Record<string, unknown> = {}
) {
  return recordAudit(trx, {
    actor,
    action: `core.collections.automation_${verb}`,
    subject: `collections.${row.collection}:automation:${row.id}`,
    data: { name: row.name, ...data },
  })
}

async function findRow(collection: string, id: string): Promise<Row> {
  await collectionRow(collection)
  const row = ID.test(id)
    ? await readTenantDb((client, table) =>
        client.from(table('collection_automations')).where({ id, collection }).select('*').first()
      )
    : undefined
  if (!row) throw new E_AUTOMATION_NOT_FOUND([collection, id.slice(0, 40)])
  return row
}

/** Trigger and action checked as a whole: the shape, then what they name in this tenant. */
async function checked(collection: string, trigger: unknown, action: unknown) {
  const { definition } = await collectionRow(collection)
  const parsed = parseAutomation({ trigger, action })
  await checkReferences(parsed, { collection, definition })
  return parsed
}

export async function listAutomations(collection: string) {
  await collectionRow(collection)
  const rows = await readTenantDb((client, table) =>
    client
      .from(table('collection_automations'))
      .where('collection', collection)
      .orderBy('id')
      .select('*')
  )
  return rows.map((row) => presentAutomation(row))
}

export async function findAutomation(collection: string, id: string) {
  return presentAutomation(await findRow(collection, id))
}

/** Saves an automation; a webhook automation gets a signing secret, in this answer only. */
export async function createAutomation(collection: string, input: AutomationInput, actor: string) {
  const { trigger, action } = await checked(collection, input.trigger, input.action)
  const secret = action.type === 'webhook' ? sealedNewSecret() : null
  const row = await withTenantDb(async (trx) => {
    const [inserted] = await trx
      .insertQuery()
      .table('collection_automations')
      .insert({
        collection,
        name: input.name,
        trigger: JSON.stringify(trigger),
        action: JSON.stringify(action),
        enabled: input.enabled ?? true,
        secret,
      })
      .returning('*')
    await audit(trx, actor, 'create', inserted, { trigger, action })
    return inserted as Row
  })
  await syncSchedule(String(row.id), null, row as AutomationRow)
  return presentAutomation(row, secret ? endpointSecret({ secret }) : undefined)
}

export async function updateAutomation(
  collection: string,
  id: string,
  input: Partial<AutomationInput>,
  actor: string
) {
  const before = await findRow(collection, id)
  const { trigger, action } = await checked(
    collection,
    input.trigger ?? before.trigger,
    input.action ?? before.action
  )
  // A webhook automation keeps its secret; one that becomes a webhook gets one (shown now).
  const fresh = action.type === 'webhook' && !before.secret ? sealedNewSecret() : null
  const secret = action.type === 'webhook' ? (before.secret ?? fresh) : null
  const row = await withTenantDb(async (trx) => {
    const [updated] = await trx
      .from('collection_automations')
      .where('id', before.id)
      .update({
        name: input.name ?? before.name,
        trigger: JSON.stringify(trigger),
        action: JSON.stringify(action),
        enabled: input.enabled ?? before.enabled,
        secret,
        updated_at: new Date(),
      })
      .returning('*')
    await audit(trx, actor, 'update', updated, { trigger, action, enabled: updated.enabled })
    return updated as Row
  })
  await syncSchedule(String(row.id), before as AutomationRow, row as AutomationRow)
  return presentAutomation(row, fresh ? endpointSecret({ secret: fresh }) : undefined)
}

/** Removes an automation with its runs (and its schedule). */
export async function deleteAutomation(collection: string, id: string, actor: string) {
  const before = await findRow(collection, id)
  await withTenantDb(async (trx) => {
    await trx.from('collection_automations').where('id', before.id).delete()
    await audit(trx, actor, 'delete', before)
  })
  await syncSchedule(String(before.id), before as AutomationRow, null)
  return { id: String(before.id), deleted: true }
}

/** An automation's runs, newest first. */
export async function listRuns(
  collection: string,
  id: string,
  options: { page: number; perPage: number; status?: string }
) {
  const automation = await findRow(collection, id)
  return readTenantDb(async (client, table) => {
    const query = client
      .from(table('collection_automation_runs'))
      .where('automation_id', automation.id)
    if (options.status) query.where('status', options.status)
    const [{ total }] = await query.clone().count('* as total')
    const rows = await query
      .orderBy('id', 'desc')
      .offset((options.page - 1) * options.perPage)
      .limit(options.perPage)
      .select('*')
    const count = Number(total)
    return {
      data: rows.map(presentRun),
      pagination: {
        page: options.page,
        per_page: options.perPage,
        total: count,
        last_page: Math.max(1, Math.ceil(count / options.perPage)),
      },
    }
  })
}

/** A run that has been `running` far longer than any action takes: its worker died under it. */
const STUCK_MS = 15 * 60 * 1000
const stuck = (run: Row) =>
  run.status === 'running' && Date.now() - new Date(run.started_at).getTime() > STUCK_MS

/**
 * Queues a failed run again, with a new series of tries; it acts on the same
 * event. A run stuck `running` (its worker died) may be retried the same way.
 */
export async function retryAutomationRun(collection: string, id: string, runId: string) {
  const automation = await findRow(collection, id)
  if (!automation.enabled) throw new E_AUTOMATION_DISABLED([String(automation.id)])
  const run = ID.test(runId)
    ? await withTenantDb(async (trx) => {
        const found = await trx
          .from('collection_automation_runs')
          .where({ id: runId, automation_id: automation.id })
          .forUpdate()
          .first()
        if (!found || !(found.status === 'failed' || stuck(found))) return found
        const [reset] = await trx
          .from('collection_automation_runs')
          .where('id', found.id)
          .update({ status: 'pending', finished_at: null })
          .returning('*')
        return { ...reset, queued: true }
      })
    : undefined
  if (!run) throw new E_AUTOMATION_RUN_NOT_FOUND([runId.slice(0, 40)])
  if (!run.queued) throw new E_AUTOMATION_RUN_NOT_FAILED([String(run.id), run.status])
  await retryRun(String(run.id))
  return presentRun(run)
}
