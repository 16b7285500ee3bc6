import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import { OryneError } from '../errors.js'
import { defineJob } from '../jobs/define_job.js'
import { actorOf, type Principal } from '../rbac/authorize.js'
import { projectionOf } from '../resources/query.js'
import { fileUrl, findFile, storeFile } from '../storage/index.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import { listableResource, listServiceOf } from './engine.js'
import { E_EXPORT_NOT_FOUND, E_REPORT_FORMAT_UNKNOWN } from './errors.js'
import { CONTENT_TYPES, EXPORT_FORMATS, rowWriter, type ExportFormat } from './export_writers.js'
import { listQueryString, withParams, type ListInput } from './list_query.js'
import { restorePrincipal, storePrincipal, type StoredPrincipal } from './principals.js'

/*
 * Exports of resource lists to CSV or XLSX, as queued jobs. The request is
 * checked at once (resource, format, permission, every filter) by the list
 * service itself; the job then pages through the same list with a cursor, as
 * the requester, writes the rows to a file, stores it in the tenant's folder
 * and keeps its progress on the export's row.
 */

/** Rows per page read by the job (the list endpoint's largest page). */
const PAGE = 100
/** Progress is written every this many rows. */
const PROGRESS_EVERY = 1000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export type ExportRequest = ListInput & { resource: string; format: string }

type Row = Record<string, any>

function assertFormat(format: string): asserts format is ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new E_REPORT_FORMAT_UNKNOWN([String(format).slice(0, 20)])
}

/**
 * Checks an export as the list endpoint would check its query (throws the
 * same errors) and answers how many rows it will have.
 */
export async function checkExport(
  resource: string,
  format: string,
  query: string,
  principal: Principal
) {
  assertFormat(format)
  const model = await listableResource(resource)
  const service = await listServiceOf(model)
  const { pagination } = await service.list(model, principal, withParams(query, { per_page: '1' }))
  return { model, total: Number(pagination.total ?? 0) }
}

/** Records a queued export for `principal`; the caller queues its job (or runs it). */
export function createExport(
  request: ExportRequest,
  principal: Principal,
  extra: { subscriptionId?: string } = {}
) {
  return createExportOf(
    request.resource,
    request.format,
    listQueryString(request),
    principal,
    extra
  )
}

/** The same, from the list query string an export or a subscription keeps. */
export async function createExportOf(
  resource: string,
  format: string,
  query: string,
  principal: Principal,
  extra: { subscriptionId?: string } = {}
) {
  const request = { resource, format }
  const { total } = await checkExport(resource, format, query, principal)
  const row = await withTenantDb(async (trx) => {
    const [inserted] = await trx
      .insertQuery()
      .table('report_exports')
      .insert({
        resource: request.resource,
        format: request.format,
        query,
        total_rows: total,
        requested_by: actorOf(principal),
        principal: JSON.stringify(storePrincipal(principal)),
        subscription_id: extra.subscriptionId ?? null,
      })
      .returning('*')
    return inserted
  })
  return row as Row
}

/** Queues the export job of a recorded export. */
export async function queueExport(id: string) {
  const { default: jobs } = await import('../services/jobs.js')
  await jobs.dispatch(exportJob, { export_id: id }, { jobId: `report-export-${id}` })
}

async function exportRow(id: string): Promise<Row | undefined> {
  if (!UUID.test(id)) return undefined
  return readTenantDb((client, table) =>
    client.from(table('report_exports')).where('id', id).first()
  )
}

/** An export as its requester sees it, with a fresh signed download link once it is done. */
export async function presentExport(row: Row) {
  let file = null
  let download = null
  if (row.status === 'completed' && row.file_id) {
    const record = await findFile(row.file_id)
    file = {
      id: record.id,
      name: record.name,
      size: record.size,
      content_type: record.content_type,
    }
    download = await fileUrl(row.file_id)
  }
  const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null)
  return {
    id: row.id,
    resource: row.resource,
    format: row.format,
    status: row.status,
    progress: row.progress,
    row_count: row.row_count,
    total_rows: row.total_rows,
    error: row.error,
    file,
    download,
    created_at: iso(row.created_at),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
  }
}

/** An export of the caller's own; ERR_EXPORT_NOT_FOUND for anyone else's. */
export async function findExport(id: string, principal: Principal) {
  const row = await exportRow(id)
  if (!row || row.requested_by !== actorOf(principal))
    throw new E_EXPORT_NOT_FOUND([id.slice(0, 40)])
  return row
}

async function update(id: string, changes: Row) {
  await withTenantDb((trx) => trx.from('report_exports').where('id', id).update(changes))
}

/** A run abandoned this long ago (a worker that died) may be taken over: longer than the job's timeout. */
const STALE_RUN = '35 minutes'

/**
 * Takes the export for this run, in one conditional update: two workers given
 * the same export (a retry racing a stalled run) never both write it.
 */
async function claim(id: string) {
  const claimed = await withTenantDb((trx) =>
    trx.rawQuery(
      `UPDATE report_exports
          SET status = 'running', started_at = now(), progress = 0, row_count = 0, error = NULL
        WHERE id = ? AND (status IN ('queued', 'failed')
              OR (status = 'running' AND started_at < now() - interval '${STALE_RUN}'))
        RETURNING id`,
      [id]
    )
  )
  return claimed.rows.length > 0
}

/** Runs an export to the end: pages of the list, written to a file, stored; returns its row. */
export async function runExport(id: string): Promise<Row> {
  const row = await exportRow(id)
  if (!row) throw new E_EXPORT_NOT_FOUND([id])
  if (!(await claim(id))) return (await exportRow(id))!
  const path = join(tmpdir(), `oryne-export-${randomUUID()}.${row.format}`)
  try {
    const principal = await restorePrincipal(row.principal as StoredPrincipal)
    const model = await listableResource(row.resource)
    const service = await listServiceOf(model)
    const fields = new URLSearchParams(row.query).get('fields')
    const columns = projectionOf(
      model,
      principal,
      fields ? new Set(fields.split(',').map((name) => name.trim())) : null
    ).emit.map((column) => column.name)
    const writer = rowWriter(row.format, path, columns, model.name)
    const total = Number(row.total_rows ?? 0)
    let count = 0
    let reported = 0
    let cursor = ''
    try {
      do {
        const page = await service.list(
          model,
          principal,
          withParams(row.query, { per_page: String(PAGE), cursor })
        )
        for (const record of page.data) await writer.write(record)
        count += page.data.length
        cursor = page.pagination.next_cursor ?? ''
        if (count - reported >= PROGRESS_EVERY) {
          reported = count
          const progress = total ? Math.min(99, Math.floor((count * 100) / total)) : 0
          await update(id, { progress, row_count: count })
        }
      } while (cursor)
    } finally {
      await writer.close()
    }

    const tenant = tenantContext.require()
    const day = DateTime.now()
      .setZone(tenant.settings.time_zone || 'UTC')
      .toISODate()
    const stored = await storeFile(await readFile(path), {
      name: `${model.key.replace('.', '-')}-${day}.${row.format}`,
      contentType: CONTENT_TYPES[row.format as ExportFormat],
      folder: 'reports/exports',
      actor: row.requested_by,
    })
    await update(id, {
      status: 'completed',
      progress: 100,
      row_count: count,
      file_id: stored.id,
      finished_at: new Date(),
    })
    return (await exportRow(id))!
  } catch (error) {
    const known = error instanceof OryneError
    await update(id, {
      status: 'failed',
      error: known
        ? `${error.code}: ${error.message}`
        : 'The export failed; it can be asked for again.',
      finished_at: new Date(),
    })
    // A refusal (permission taken away, module disabled) fails the same way on every try.
    if (known) return (await exportRow(id))!
    throw error
  } finally {
    await rm(path, { force: true })
  }
}

export const exportJob = defineJob<{ export_id: string }>({
  name: 'core.report_export',
  queue: 'reports',
  attempts: 2,
  backoff: 5000,
  concurrency: 2,
  timeout: 30 * 60 * 1000,
  handle: async (data) => {
    await runExport(data.export_id)
  },
})
