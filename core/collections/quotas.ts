import type { ResourceModel } from '../resources/model.js'
import { ident, selectRows } from '../resources/sql.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb } from '../tenancy/tenant_db.js'
import { E_COLLECTION_QUOTA } from './errors.js'

/*
 * What one tenant may hold in collections (docs/collections.md, "Quotas"),
 * read from the environment when used, so a running process picks up what
 * operators and tests set.
 */

function positive(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isInteger(value) && value > 0 ? value : fallback
}

export const collectionQuotas = {
  /** Collections per tenant. */
  collections: () => positive('ORYNE_COLLECTIONS_MAX', 50),
  /** Fields per collection. */
  fields: () => positive('ORYNE_COLLECTION_FIELDS_MAX', 60),
  /** Records per collection. */
  rows: () => positive('ORYNE_COLLECTION_ROWS_MAX', 100_000),
}

export type QuotaName = keyof typeof collectionQuotas

/** ERR_COLLECTION_QUOTA naming the limit, e.g. "collections per institution (50)". */
export function quotaError(quota: QuotaName) {
  const what = {
    collections: 'collections per institution',
    fields: 'fields per collection',
    rows: 'records per collection',
  }[quota]
  const limit = collectionQuotas[quota]()
  return new E_COLLECTION_QUOTA([what, String(limit)], {
    details: [{ quota, limit, env: ENV[quota] }],
  })
}

const ENV: Record<QuotaName, string> = {
  collections: 'ORYNE_COLLECTIONS_MAX',
  fields: 'ORYNE_COLLECTION_FIELDS_MAX',
  rows: 'ORYNE_COLLECTION_ROWS_MAX',
}

export function checkFieldQuota(fields: number) {
  if (fields > collectionQuotas.fields()) throw quotaError('fields')
}

export function checkCollectionQuota(existing: number) {
  if (existing >= collectionQuotas.collections()) throw quotaError('collections')
}

/**
 * Refuses a new record when the collection is full. Cheap: the planner's row
 * estimate answers while the table is well below the limit; only near it (or
 * before the table was ever analysed) are rows counted, at most limit of them.
 */
export async function checkRowQuota(model: ResourceModel) {
  const limit = collectionQuotas.rows()
  const schema = tenantContext.require().schema_name
  const table = `${ident(schema)}.${ident(model.table)}`
  await readTenantDb(async (client) => {
    const [estimate] = await selectRows(
      client,
      `SELECT c.reltuples::bigint AS rows FROM pg_class c WHERE c.oid = ?::regclass`,
      [table]
    )
    const rows = Number(estimate?.rows ?? -1)
    if (rows >= 0 && rows < limit * 0.9) return
    const [counted] = await selectRows(
      client,
      `SELECT count(*) AS rows FROM (SELECT 1 FROM ${table} LIMIT ${Number(limit)}) AS s`,
      []
    )
    if (Number(counted.rows) >= limit) throw quotaError('rows')
  })
}
