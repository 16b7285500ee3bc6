import {
  readTenantDb,
  recordAudit,
  storeFile,
  tenantContext,
  withTenantDb,
  type Trx,
} from '@oryne/sdk'
import { E_AI_NOT_FOUND, E_AI_NOT_PROMOTABLE } from '../errors.js'
import { PRIMARY_METRIC, primaryMetric, type ModelKind } from './kinds.js'
import { validateModel, type ModelIo } from './model_contract.js'

/*
 * The model registry: every trained or uploaded model of a tenant is a row
 * (kind, version, training window, metrics, size) with its ONNX file on Drive
 * under the tenant's folder. Statuses:
 *   candidate -> promoted -> retired      (a retired model can be promoted again)
 *   rejected  (measured worse than the promoted one)   failed (training or validation failed)
 * A failed or worse model never replaces the promoted one.
 */

export type ModelRow = {
  id: string
  kind: ModelKind
  version: number
  status: 'candidate' | 'promoted' | 'retired' | 'rejected' | 'failed'
  source: 'trained' | 'uploaded'
  file_id: string | null
  size_bytes: number
  window_from: Date | null
  window_to: Date | null
  metrics: Record<string, any>
  io: ModelIo
  error: string | null
  created_by: string
  created_at: Date
  promoted_at: Date | null
}

/** Columns a listing returns (the vocabulary can be large and stays out). */
const COLUMNS = [
  'id',
  'kind',
  'version',
  'status',
  'source',
  'file_id',
  'size_bytes',
  'window_from',
  'window_to',
  'metrics',
  'io',
  'error',
  'created_by',
  'created_at',
  'promoted_at',
]

export function presentModel(row: ModelRow) {
  return {
    id: String(row.id),
    kind: row.kind,
    version: Number(row.version),
    status: row.status,
    source: row.source,
    size_bytes: Number(row.size_bytes),
    training_window: {
      from: row.window_from ? new Date(row.window_from).toISOString() : null,
      to: row.window_to ? new Date(row.window_to).toISOString() : null,
    },
    metrics: row.metrics,
    io: row.io,
    error: row.error,
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
    promoted_at: row.promoted_at ? new Date(row.promoted_at).toISOString() : null,
  }
}

/** Serialises registry changes of one kind in this tenant (versions, promotion). */
async function lockKind(trx: Trx, kind: ModelKind) {
  await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [`ai_models:${kind}`])
}

async function nextVersion(trx: Trx, kind: ModelKind) {
  const row = await trx.from('ai_models').where('kind', kind).max('version as version').first()
  return Number(row?.version ?? 0) + 1
}

export type NewModel = {
  kind: ModelKind
  source: 'trained' | 'uploaded'
  bytes: Uint8Array
  io: ModelIo
  metrics?: Record<string, unknown>
  window?: { from: Date | null; to: Date | null }
  vocabulary?: unknown
  actor: string
}

/**
 * Validates the model (load + probe), stores its file and records it as a
 * candidate. A model that fails validation is recorded as failed, with the
 * reason, and the error is raised.
 */
export async function registerModel(input: NewModel): Promise<ModelRow> {
  try {
    await validateModel(input.kind, input.bytes, input.io)
  } catch (error) {
    await recordFailure(input.kind, input.source, (error as Error).message, input.actor)
    throw error
  }
  return withTenantDb(async (trx) => {
    await lockKind(trx, input.kind)
    const version = await nextVersion(trx, input.kind)
    const file = await storeFile(input.bytes, {
      name: `${input.kind}-v${version}.onnx`,
      folder: `ai/models/${input.kind}`,
      contentType: 'application/octet-stream',
      actor: input.actor,
    })
    const [row] = await trx
      .insertQuery()
      .table('ai_models')
      .insert({
        kind: input.kind,
        version,
        status: 'candidate',
        source: input.source,
        file_id: file.id,
        size_bytes: input.bytes.byteLength,
        window_from: input.window?.from ?? null,
        window_to: input.window?.to ?? null,
        metrics: JSON.stringify(input.metrics ?? {}),
        io: JSON.stringify(input.io),
        vocabulary: input.vocabulary === undefined ? null : JSON.stringify(input.vocabulary),
        created_by: input.actor,
      })
      .returning(COLUMNS)
    await recordAudit(trx, {
      actor: input.actor,
      action: 'ai.models.register',
      subject: `ai.models:${row.id}`,
      data: { kind: input.kind, version, source: input.source, size: input.bytes.byteLength },
    })
    return row as ModelRow
  })
}

/** Records a training or validation that failed: visible in `oryne ai models`, never promotable. */
export async function recordFailure(
  kind: ModelKind,
  source: 'trained' | 'uploaded',
  error: string,
  actor: string
) {
  return withTenantDb(async (trx) => {
    await lockKind(trx, kind)
    const [row] = await trx
      .insertQuery()
      .table('ai_models')
      .insert({
        kind,
        version: await nextVersion(trx, kind),
        status: 'failed',
        source,
        error: error.slice(0, 2000),
        io: JSON.stringify({ inputs: [], outputs: [] }),
        created_by: actor,
      })
      .returning(COLUMNS)
    return row as ModelRow
  })
}

/**
 * Promotes a version of a kind, atomically: under the kind's lock the
 * promoted model (if any) is retired and this one promoted in one
 * transaction (a partial unique index guarantees one promoted model per kind).
 * Refused for failed or rejected models, and for a measured model whose
 * primary metric is below the promoted one's.
 */
export async function promoteModel(
  kind: ModelKind,
  version: number,
  actor: string
): Promise<ModelRow> {
  return withTenantDb(async (trx) => {
    await lockKind(trx, kind)
    const target = (await trx
      .from('ai_models')
      .where({ kind, version })
      .select(COLUMNS)
      .first()) as ModelRow | null
    if (!target) throw new E_AI_NOT_FOUND([`${kind} model version`, String(version)])
    if (target.status === 'promoted') return target
    if (target.status === 'failed' || target.status === 'rejected' || !target.file_id)
      throw new E_AI_NOT_PROMOTABLE([kind, version, `it is ${target.status}`])
    const current = (await trx
      .from('ai_models')
      .where({ kind, status: 'promoted' })
      .select(COLUMNS)
      .first()) as ModelRow | null
    const challenger = primaryMetric(kind, target.metrics)
    const champion = current ? primaryMetric(kind, current.metrics) : null
    if (challenger !== null && champion !== null && challenger < champion)
      throw new E_AI_NOT_PROMOTABLE([
        kind,
        version,
        `its ${PRIMARY_METRIC[kind]} ${challenger.toFixed(4)} is below the promoted version ${current!.version}'s ${champion.toFixed(4)}`,
      ])
    const now = new Date()
    if (current) await trx.from('ai_models').where('id', current.id).update({ status: 'retired' })
    const [promoted] = await trx
      .from('ai_models')
      .where('id', target.id)
      .update({ status: 'promoted', promoted_at: now })
      .returning(COLUMNS)
    await recordAudit(trx, {
      actor,
      action: 'ai.models.promote',
      subject: `ai.models:${target.id}`,
      data: { kind, version, replaced: current ? Number(current.version) : null },
    })
    return promoted as ModelRow
  })
}

/** Marks a measured candidate as rejected: it stays listed, with the reason, and is never served. */
export async function rejectModel(id: string, reason: string) {
  await withTenantDb((trx) =>
    trx.from('ai_models').where('id', id).update({ status: 'rejected', error: reason })
  )
}

/** The promoted model of a kind, or null. */
export async function promotedModel(kind: ModelKind): Promise<ModelRow | null> {
  // One statement, no transaction: this runs on every request a model serves.
  const row = await readTenantDb((client, table) =>
    client
      .from(table('ai_models', 'm'))
      .where({ 'm.kind': kind, 'm.status': 'promoted' })
      .select(COLUMNS.map((column) => `m.${column}`))
      .first()
  )
  return (row as ModelRow) ?? null
}

/** The vocabulary stored with a model (the rows and columns of a recommender). */
export async function modelVocabulary<T>(id: string): Promise<T> {
  const row = await readTenantDb((client, table) =>
    client.from(table('ai_models', 'm')).where('m.id', id).select('m.vocabulary').first()
  )
  return row?.vocabulary as T
}

export async function listModels(kind?: ModelKind) {
  const rows = await withTenantDb((trx) => {
    const query = trx
      .from('ai_models')
      .select(COLUMNS)
      .orderBy([{ column: 'kind' }, { column: 'version', order: 'desc' }])
    if (kind) query.where('kind', kind)
    return query
  })
  return (rows as ModelRow[]).map(presentModel)
}

/** The tenant id of the current context (cache keys carry it). */
export function currentTenantId() {
  return tenantContext.require().id
}
