import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import '#config/uploads'
import { recordAudit } from '../audit/audit.js'
import { E_FILE_TYPE_MISMATCH } from '../errors.js'
import { signingKey } from '../sdk/services.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { storageConfig } from './config.js'
import { diskKey, storageDisk } from './disk.js'
import {
  E_UPLOAD_EXPIRED,
  E_UPLOAD_INCOMPLETE,
  E_UPLOAD_LINK_INVALID,
  E_UPLOAD_MISMATCH,
  E_UPLOAD_NOT_FOUND,
  E_UPLOAD_NOT_PENDING,
  E_UPLOAD_PURPOSE_UNKNOWN,
  E_UPLOAD_TOO_LARGE,
  E_UPLOAD_TYPE_NOT_ALLOWED,
} from './errors.js'
import { safeFileName, type FileRecord } from './files.js'
import { absoluteLink, signFileLink, type FileLink } from './links.js'
import { acceptsContentType, bareContentType, uploadPurpose, uploadPurposes } from './purposes.js'
import { assertQuota } from './quota.js'
import { contentMatches, extensionOf, SNIFF_BYTES, typeOfName } from './sniff.js'

/*
 * Presigned uploads (docs/storage.md): the client declares what it will send
 * (purpose, type, size, name), gets a signed URL valid for a while, sends the
 * bytes straight there — to S3 with the S3 driver, to Oryne's own signed PUT
 * with the fs driver — and confirms. The declared size is reserved against the
 * tenant's quota from the request on; the confirmation checks the stored
 * object against the declaration and records the file.
 */

export type UploadRequest = { purpose: string; content_type: string; size: number; name: string }

/** Where and how to send the bytes. */
export type UploadTarget = {
  method: 'PUT'
  url: string
  /** Headers the request must carry (S3 signs them). */
  headers: Record<string, string>
  expires_at: string
}

export type UploadRecord = {
  id: string
  purpose: string
  name: string
  content_type: string
  size: number
  status: 'pending' | 'confirmed' | 'rejected'
  expires_at: string
  file_id: string | null
  created_at: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const EXTENSION = /\.([a-z0-9]{1,10})$/i

function present(row: Record<string, any>): UploadRecord {
  return {
    id: row.id,
    purpose: row.purpose,
    name: row.name,
    content_type: row.content_type,
    size: Number(row.size),
    status: row.status,
    expires_at: new Date(row.expires_at).toISOString(),
    file_id: row.file_id ?? null,
    created_at: new Date(row.created_at).toISOString(),
  }
}

function contentSignature(id: string, expires: number) {
  return createHmac('sha256', signingKey('uploads'))
    .update(`${tenantContext.require().id}\n${id}\n${expires}`)
    .digest('base64url')
}

/** Whether `query` carries the signature signUploadTarget made for this upload, in time. */
function validContentLink(id: string, query: { expires?: unknown; signature?: unknown }) {
  const expires = Number(query.expires)
  if (!Number.isSafeInteger(expires) || expires * 1000 < Date.now()) return false
  if (typeof query.signature !== 'string') return false
  const expected = Buffer.from(contentSignature(id, expires))
  const given = Buffer.from(query.signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

async function uploadTarget(row: Record<string, any>): Promise<UploadTarget> {
  const expiresAt = new Date(row.expires_at)
  const headers = { 'Content-Type': row.content_type }
  if (storageConfig.driver() === 's3') {
    const seconds = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000))
    const disk = await storageDisk()
    // Type and length are signed: S3 refuses a PUT whose headers differ.
    const url = await disk.getSignedUploadUrl(diskKey(row.key), {
      expiresIn: seconds,
      contentType: row.content_type,
      ContentLength: Number(row.size),
    })
    return { method: 'PUT', url, headers, expires_at: expiresAt.toISOString() }
  }
  const expires = Math.floor(expiresAt.getTime() / 1000)
  // Absolute and naming its tenant, as download links: a plain PUT to it works from anywhere.
  const url = absoluteLink(
    `/api/v1/uploads/${row.id}/content?expires=${expires}&signature=${contentSignature(row.id, expires)}`
  )
  return { method: 'PUT', url, headers, expires_at: expiresAt.toISOString() }
}

/** Checks a declaration against its purpose's limits. */
function acceptDeclaration(input: UploadRequest) {
  const purpose = uploadPurpose(input.purpose)
  if (!purpose)
    throw new E_UPLOAD_PURPOSE_UNKNOWN([input.purpose], {
      details: { purposes: uploadPurposes().map((candidate) => candidate.name) },
    })
  if (!acceptsContentType(purpose, input.content_type))
    throw new E_UPLOAD_TYPE_NOT_ALLOWED([input.purpose, bareContentType(input.content_type)], {
      details: { allowed: purpose.contentTypes },
    })
  if (input.size > purpose.maxBytes)
    throw new E_UPLOAD_TOO_LARGE([input.purpose, String(purpose.maxBytes)], {
      details: { max_bytes: purpose.maxBytes },
    })
  // The name's extension must name the declared type: the file is offered under that name.
  const declared = bareContentType(input.content_type)
  if (typeOfName(input.name) !== declared)
    throw new E_FILE_TYPE_MISMATCH([safeFileName(input.name)], {
      details: {
        extension: extensionOf(input.name),
        expected: typeOfName(input.name) ?? null,
        sent: declared,
      },
    })
  return purpose
}

/**
 * Reserves the declared size (refused with ERR_STORAGE_QUOTA_EXCEEDED when it
 * does not fit) and returns the upload with the URL to send the bytes to.
 */
export async function requestUpload(
  input: UploadRequest,
  actor: string
): Promise<UploadRecord & { upload: UploadTarget }> {
  const purpose = acceptDeclaration(input)
  const name = safeFileName(input.name)
  const id = randomUUID()
  const extension = EXTENSION.exec(name)?.[1]?.toLowerCase()
  const folder = (purpose.folder ?? `uploads/${input.purpose.replace('.', '/')}`).replace(
    /^\/+|\/+$/g,
    ''
  )
  const row = await withTenantDb(async (trx) => {
    await assertQuota(trx, input.size)
    const [inserted] = await trx
      .insertQuery()
      .table('uploads')
      .insert({
        id,
        purpose: input.purpose,
        name,
        content_type: bareContentType(input.content_type),
        size: input.size,
        key: `${folder}/${id}${extension ? `.${extension}` : ''}`,
        uploaded_by: actor,
        expires_at: new Date(Date.now() + storageConfig.uploadTtlSeconds() * 1000),
      })
      .returning('*')
    return inserted
  })
  return { ...present(row), upload: await uploadTarget(row) }
}

async function pendingRow(id: string) {
  if (!UUID.test(id)) throw new E_UPLOAD_NOT_FOUND([id])
  const row = await withTenantDb((trx) => trx.from('uploads').where('id', id).first())
  if (!row) throw new E_UPLOAD_NOT_FOUND([id])
  return row
}

/** Counts the bytes going through and fails past `limit`. */
function capped(limit: number) {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      done(seen > limit ? new E_UPLOAD_TOO_LARGE(['this upload', String(limit)]) : null, chunk)
    },
  })
}

/**
 * The fs driver's signed PUT (`/api/v1/uploads/:id/content?expires&signature`):
 * authorised by the link alone, like S3's; stores the body under the
 * upload's key (at most the purpose's limit) and remembers its content type.
 */
export async function receiveUploadContent(
  id: string,
  query: Record<string, unknown>,
  body: Readable,
  contentType: string | undefined
) {
  if (!UUID.test(id) || !validContentLink(id, query)) throw new E_UPLOAD_LINK_INVALID()
  const row = await pendingRow(id)
  if (row.status !== 'pending') throw new E_UPLOAD_NOT_PENDING([id, row.status])
  const limit = uploadPurpose(row.purpose)?.maxBytes ?? Number(row.size)
  const disk = await storageDisk()
  const target = diskKey(row.key)
  const counter = capped(limit)
  try {
    await Promise.all([pipeline(body, counter), disk.putStream(target, counter)])
  } catch (error) {
    await disk.delete(target).catch(() => {})
    throw error
  }
  await withTenantDb((trx) =>
    trx
      .from('uploads')
      .where('id', id)
      .update({ received_content_type: bareContentType(contentType) || null })
  )
}

async function head(key: string) {
  const disk = await storageDisk()
  const stream = await disk.getStream(key)
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer)
    length += (chunk as Buffer).length
    if (length >= SNIFF_BYTES) break
  }
  stream.destroy()
  return Buffer.concat(chunks).subarray(0, SNIFF_BYTES)
}

type Outcome =
  | { kind: 'confirmed'; file: FileRecord }
  | { kind: 'expired' }
  | { kind: 'rejected'; details: Array<Record<string, unknown>> }

/**
 * Checks the stored object against the declaration (size, content type and,
 * for types that have one, the file's signature) and records the file; a
 * mismatch rejects the upload, deletes the object and frees its reservation.
 */
export async function confirmUpload(
  id: string,
  principal: { actor: string; manageAll: boolean }
): Promise<{ upload: UploadRecord; file: FileRecord & { download: FileLink } }> {
  if (!UUID.test(id)) throw new E_UPLOAD_NOT_FOUND([id])
  const disk = await storageDisk()
  let key = ''
  const outcome: Outcome = await withTenantDb(async (trx) => {
    const row = await trx.from('uploads').where('id', id).forUpdate().first()
    if (!row || (row.uploaded_by !== principal.actor && !principal.manageAll))
      throw new E_UPLOAD_NOT_FOUND([id])
    if (row.status !== 'pending') throw new E_UPLOAD_NOT_PENDING([id, row.status])
    key = diskKey(row.key)
    if (new Date(row.expires_at).getTime() <= Date.now()) return { kind: 'expired' }
    let stored: { contentLength: number; contentType?: string }
    try {
      stored = await disk.getMetaData(key)
    } catch {
      throw new E_UPLOAD_INCOMPLETE([id])
    }
    const storedType = bareContentType(
      storageConfig.driver() === 's3' ? stored.contentType : row.received_content_type
    )
    const details: Array<Record<string, unknown>> = []
    if (Number(stored.contentLength) !== Number(row.size))
      details.push({ field: 'size', declared: Number(row.size), stored: stored.contentLength })
    if (storedType !== row.content_type)
      details.push({ field: 'content_type', declared: row.content_type, stored: storedType || null })
    else if (!contentMatches(row.content_type, await head(key)))
      details.push({ field: 'content', declared: row.content_type, rule: 'signature' })
    if (details.length) {
      await trx.from('uploads').where('id', id).update({ status: 'rejected' })
      return { kind: 'rejected', details }
    }
    const [file] = await trx
      .insertQuery()
      .table('files')
      .insert({
        name: row.name,
        size: row.size,
        content_type: row.content_type,
        key: row.key,
        uploaded_by: row.uploaded_by,
      })
      .returning(['id', 'name', 'size', 'content_type', 'key', 'uploaded_by', 'created_at'])
    await trx
      .from('uploads')
      .where('id', id)
      .update({ status: 'confirmed', file_id: file.id, confirmed_at: new Date() })
    await recordAudit(trx, {
      actor: principal.actor,
      action: 'core.files.upload',
      resource: 'core.files',
      resource_id: file.id,
      data: { name: row.name, size: Number(row.size), content_type: row.content_type, key: row.key, purpose: row.purpose },
    })
    return {
      kind: 'confirmed',
      file: {
        ...file,
        size: Number(file.size),
        created_at: new Date(file.created_at).toISOString(),
      },
    }
  })
  if (outcome.kind !== 'confirmed') {
    await disk.delete(key).catch(() => {})
    if (outcome.kind === 'expired') throw new E_UPLOAD_EXPIRED([id])
    throw new E_UPLOAD_MISMATCH([], { details: outcome.details })
  }
  const upload = await pendingRow(id)
  return {
    upload: present(upload),
    file: { ...outcome.file, download: signFileLink(outcome.file.id) },
  }
}

/** An upload of the current tenant, as its uploader (or a files manager) sees it. */
export async function findUpload(id: string, principal: { actor: string; manageAll: boolean }) {
  const row = await pendingRow(id)
  if (row.uploaded_by !== principal.actor && !principal.manageAll) throw new E_UPLOAD_NOT_FOUND([id])
  return present(row)
}
