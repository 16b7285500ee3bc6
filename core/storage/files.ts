import { randomUUID } from 'node:crypto'
import { open as openFs } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import type { MultipartFile } from '@adonisjs/core/bodyparser'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordAudit } from '../audit/audit.js'
import {
  E_FILE_NOT_FOUND,
  E_FILE_TOO_LARGE,
  E_FILE_TYPE_MISMATCH,
  E_FILE_TYPE_NOT_ALLOWED,
  E_VALIDATION,
} from '../errors.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import { storageConfig } from './config.js'
import { diskKey, storageDisk } from './disk.js'
import { signFileLink, type FileLink } from './links.js'
import { assertQuota } from './quota.js'
import { agreedContentType, extensionOf, SNIFF_BYTES, typeOfName } from './sniff.js'

/** A stored file of the current tenant, as the API and the SDK return it. */
export type FileRecord = {
  id: string
  name: string
  size: number
  content_type: string
  /** Its place in the tenant's storage folder (`files/<uuid>.pdf`); the disk key is `tenants/<tenant id>/<key>`. */
  key: string
  uploaded_by: string
  created_at: string
}

export type StoreFileOptions = {
  /** The file name shown and offered on download; default: the upload's client name. */
  name?: string
  /**
   * Default: for an upload, the type its extension and leading bytes agree on
   * (never the type the client sent; ERR_FILE_TYPE_MISMATCH when they
   * disagree); for bytes, application/octet-stream.
   */
  contentType?: string
  /** Folder inside the tenant's storage, e.g. `erp/imports`; default `files`. */
  folder?: string
  /** Who stored it, for the audit log (`user:<id>`, `api_key:<id>`, `platform`, `<plugin>`); default `system`. */
  actor?: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const COLUMNS = ['id', 'name', 'size', 'content_type', 'key', 'uploaded_by', 'created_at']

/** The client's file name, reduced to what is safe in a Content-Disposition header. */
export function safeFileName(name: string) {
  const cleaned = basename(name.replaceAll('\\', '/'))
    .replace(/[^\p{L}\p{N} ._()-]/gu, '_')
    .slice(-200)
  return cleaned.replace(/^\.+/, '') || 'file'
}

function present(row: Record<string, any>): FileRecord {
  return {
    id: row.id,
    name: row.name,
    size: Number(row.size),
    content_type: row.content_type,
    key: row.key,
    uploaded_by: row.uploaded_by,
    created_at: new Date(row.created_at).toISOString(),
  }
}

/**
 * Checks an upload against the limits of the configuration (ORYNE_UPLOAD_MAX_MB,
 * ORYNE_UPLOAD_EXTENSIONS) before anything is stored.
 */
export function acceptUpload(file: MultipartFile | null): MultipartFile {
  if (!file)
    throw new E_VALIDATION([], {
      details: [{ field: 'file', rule: 'required', message: 'Send the file in the multipart field "file"' }],
    })
  const allowed = storageConfig.extensions()
  const extension = (file.extname ?? extensionOf(file.clientName)).toLowerCase()
  if (!allowed.includes(extension))
    throw new E_FILE_TYPE_NOT_ALLOWED([extension || 'unknown'], { details: { allowed } })
  const maxMb = storageConfig.maxUploadMb()
  if (file.size > maxMb * 1024 * 1024) throw new E_FILE_TOO_LARGE([String(maxMb)])
  if (!file.isValid || !file.tmpPath)
    throw new E_VALIDATION([], {
      details: [
        { field: 'file', rule: 'upload', message: file.errors[0]?.message ?? 'The upload did not complete' },
      ],
    })
  return file
}

async function leadingBytes(path: string) {
  const handle = await openFs(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/**
 * The type an upload is stored as: what its client name's extension and its
 * first bytes agree on, never the type the client sent; ERR_FILE_TYPE_MISMATCH
 * when they disagree. For plugins that keep uploads in their own folders.
 */
export async function uploadContentType(upload: MultipartFile) {
  if (!upload.tmpPath) throw new E_VALIDATION([], { details: [{ field: 'file', rule: 'upload' }] })
  const agreed = agreedContentType(upload.clientName, await leadingBytes(upload.tmpPath))
  if (agreed) return agreed
  throw new E_FILE_TYPE_MISMATCH([safeFileName(upload.clientName)], {
    details: {
      extension: extensionOf(upload.clientName),
      expected: typeOfName(upload.clientName),
      sent: upload.type && upload.subtype ? `${upload.type}/${upload.subtype}` : null,
    },
  })
}

async function insertRecord(trx: TransactionClientContract, row: Omit<FileRecord, 'created_at'>) {
  // Every stored file counts against the tenant's quota, like presigned uploads.
  await assertQuota(trx, row.size)
  const [inserted] = await trx.insertQuery().table('files').insert(row).returning(COLUMNS)
  await recordAudit(trx, {
    actor: row.uploaded_by,
    action: 'core.files.upload',
    resource: 'core.files',
    resource_id: row.id,
    data: { name: row.name, size: row.size, content_type: row.content_type, key: row.key },
  })
  return present(inserted)
}

/**
 * Stores a file of the current tenant — an upload, or bytes a plugin made —
 * under `tenants/<tenant id>/<folder>/<uuid>.<ext>`, records it in the tenant's
 * `files` table and the audit log, and returns its record. Inside a tenant
 * transaction the row joins it, and a rollback removes the stored object.
 */
export async function storeFile(
  source: MultipartFile | Uint8Array | string,
  options: StoreFileOptions = {}
): Promise<FileRecord> {
  const upload = typeof source === 'string' || source instanceof Uint8Array ? null : source
  const name = safeFileName(options.name ?? upload?.clientName ?? 'file')
  const extension = upload?.extname?.toLowerCase() ?? extensionOf(name)
  const id = randomUUID()
  const folder = (options.folder ?? 'files').replace(/^\/+|\/+$/g, '')
  const key = `${folder}/${id}${extension ? `.${extension}` : ''}`
  const target = diskKey(key)
  const disk = await storageDisk()

  let size: number
  let contentType = options.contentType
  if (upload) {
    if (!upload.tmpPath) throw new E_VALIDATION([], { details: [{ field: 'file', rule: 'upload' }] })
    contentType ??= await uploadContentType(upload)
    await disk.moveFromFs(upload.tmpPath, target)
    upload.markAsMoved(basename(target), target)
    size = upload.size
  } else {
    const bytes = typeof source === 'string' ? Buffer.from(source) : (source as Uint8Array)
    await disk.put(target, bytes)
    size = bytes.byteLength
  }

  const row = {
    id,
    name,
    size,
    content_type: contentType ?? 'application/octet-stream',
    key,
    uploaded_by: options.actor ?? 'system',
  }
  const open = tenantContext.transaction()
  try {
    const record = await withTenantDb((trx) => insertRecord(trx, row))
    open?.after('rollback', () => disk.delete(target).catch(() => {}))
    return record
  } catch (error) {
    await disk.delete(target).catch(() => {})
    throw error
  }
}

/** The record of a file of the current tenant; ERR_FILE_NOT_FOUND when there is none. */
export async function findFile(id: string): Promise<FileRecord> {
  if (!UUID.test(id)) throw new E_FILE_NOT_FOUND([id])
  const row = await readTenantDb((client, table) =>
    client.from(table('files')).where('id', id).select(COLUMNS).first()
  )
  if (!row) throw new E_FILE_NOT_FOUND([id])
  return present(row)
}

/** A signed, expiring download link of a file of the current tenant. */
export async function fileUrl(id: string, options: { ttlSeconds?: number } = {}): Promise<FileLink> {
  const file = await findFile(id)
  return signFileLink(file.id, options.ttlSeconds)
}

/** The contents of a file of the current tenant. */
export async function readFile(id: string): Promise<Buffer> {
  const file = await findFile(id)
  const disk = await storageDisk()
  return Buffer.from(await disk.getBytes(diskKey(file.key)))
}

/** A stream of a file of the current tenant, with its record (the download endpoint). */
export async function openFile(id: string): Promise<{ file: FileRecord; stream: Readable }> {
  const file = await findFile(id)
  const disk = await storageDisk()
  try {
    return { file, stream: await disk.getStream(diskKey(file.key)) }
  } catch (error) {
    throw new E_FILE_NOT_FOUND([id], { cause: error })
  }
}

/**
 * Deletes a file of the current tenant: its row (audited) in the tenant
 * transaction, then the stored object once that commits.
 */
export async function deleteFile(id: string, options: { actor?: string } = {}): Promise<FileRecord> {
  const file = await findFile(id)
  const disk = await storageDisk()
  const target = diskKey(file.key)
  const open = tenantContext.transaction()
  await withTenantDb(async (trx) => {
    const deleted = await trx.from('files').where('id', file.id).delete()
    if (!deleted) throw new E_FILE_NOT_FOUND([id])
    await recordAudit(trx, {
      actor: options.actor ?? 'system',
      action: 'core.files.delete',
      resource: 'core.files',
      resource_id: file.id,
      data: { name: file.name, key: file.key },
    })
  })
  if (open) open.after('commit', () => disk.delete(target).catch(() => {}))
  else await disk.delete(target)
  return file
}
