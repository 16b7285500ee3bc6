import { existsSync } from 'node:fs'
import db from '@adonisjs/lucid/services/db'
import { E_TENANT_NOT_FOUND } from '../errors.js'

export type BackupRecord = {
  id: string
  tenant: string
  path: string
  size_bytes: number
  sha256: string
  reason: string
  actor: string
  encrypted: boolean
  with_files: boolean
  summary: { tables: number; rows: number; files: number }
  created_at: Date
  /** Whether the archive is still where it was written. */
  present: boolean
}

/**
 * The archives taken of every tenant that had this slug, newest first: a
 * deleted tenant's backups stay listed under its slug, to restore it.
 */
export async function listBackups(slug: string): Promise<BackupRecord[]> {
  const tenants = await db.from('tenants').where('slug', slug.toLowerCase()).select('id')
  if (!tenants.length) throw new E_TENANT_NOT_FOUND([slug])
  const rows = await db
    .from('tenant_backups')
    .whereIn(
      'tenant_id',
      tenants.map((tenant) => tenant.id)
    )
    .orderBy('created_at', 'desc')
  return rows.map((row) => ({
    id: row.id,
    tenant: slug.toLowerCase(),
    path: row.path,
    size_bytes: Number(row.size_bytes),
    sha256: row.sha256,
    reason: row.reason,
    actor: row.actor,
    encrypted: row.encrypted,
    with_files: row.with_files,
    summary: row.summary,
    created_at: row.created_at,
    present: existsSync(row.path),
  }))
}
