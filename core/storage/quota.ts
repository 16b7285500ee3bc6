import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { storageConfig } from './config.js'
import { E_STORAGE_QUOTA_EXCEEDED } from './errors.js'

/** What the current tenant stores and has reserved, against its quota (bytes). */
export type StorageUsage = {
  quota_bytes: number
  used_bytes: number
  reserved_bytes: number
  available_bytes: number
  files: number
  pending_uploads: number
}

/**
 * Usage = the stored files, plus the declared sizes of presigned uploads
 * still pending and not expired: a reservation holds its bytes from the
 * request until it is confirmed (its file then counts) or expires.
 */
export async function storageUsage(trx: TransactionClientContract): Promise<StorageUsage> {
  // One after another: a transaction is one connection, which runs one query at a time.
  const quotaRow = await trx.from('storage_quota').where('id', 1).select('quota_bytes').first()
  const filesRow = await trx
    .from('files')
    .select(trx.raw('coalesce(sum(size), 0) AS bytes, count(*) AS n'))
    .first()
  const uploadsRow = await trx
    .from('uploads')
    .where('status', 'pending')
    .where('expires_at', '>', trx.raw('now()'))
    .select(trx.raw('coalesce(sum(size), 0) AS bytes, count(*) AS n'))
    .first()
  const quota = quotaRow?.quota_bytes ? Number(quotaRow.quota_bytes) : storageConfig.quotaBytes()
  const used = Number(filesRow.bytes)
  const reserved = Number(uploadsRow.bytes)
  return {
    quota_bytes: quota,
    used_bytes: used,
    reserved_bytes: reserved,
    available_bytes: Math.max(0, quota - used - reserved),
    files: Number(filesRow.n),
    pending_uploads: Number(uploadsRow.n),
  }
}

/**
 * Checks that `bytes` more fit in the tenant's quota, holding the tenant's
 * `storage_quota` row locked until the caller's transaction ends: the caller
 * records its file or reservation in that transaction, so two requests racing
 * for the last bytes are serialised and the second sees the first's bytes.
 */
export async function assertQuota(trx: TransactionClientContract, bytes: number) {
  // A schema cloned without rows still gets its one quota row.
  await trx.rawQuery('INSERT INTO storage_quota (id) VALUES (1) ON CONFLICT (id) DO NOTHING')
  await trx.from('storage_quota').where('id', 1).forUpdate().select('id')
  const usage = await storageUsage(trx)
  if (usage.used_bytes + usage.reserved_bytes + bytes > usage.quota_bytes)
    throw new E_STORAGE_QUOTA_EXCEEDED([], { details: { ...usage, requested_bytes: bytes } })
  return usage
}
