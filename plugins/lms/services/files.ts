import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { E_FILE_REJECTED } from '../errors.js'
import type { LmsSettings } from '../settings.js'
import {
  absoluteLink,
  tenantContext,
  type MultipartFile,
  tenantFilePath,
  signingKey,
  uploadContentType,
} from '@oryne/sdk'

/*
 * Files of materials and submissions: stored under the tenant's storage folder
 * (`tenants/<tenant id>/lms/...`), downloaded through links signed with a key
 * derived from APP_KEY. A link names the tenant, the path and the file it was
 * made for, and expires: a link of one tenant, or for a replaced file, is
 * worthless.
 */

export type StoredFile = {
  /** Storage key relative to the tenant's folder: `lms/materials/12/<uuid>.pdf`. */
  key: string
  name: string
  size: number
  content_type: string
  uploaded_at: string
}

/** Absolute path of a file key of the current tenant. */
export function filePath(key: string) {
  return tenantFilePath(key)
}

/** The client's file name, reduced to what is safe in a Content-Disposition header. */
function safeName(name: string) {
  const cleaned = basename(name.replaceAll('\\', '/'))
    .replace(/[^\p{L}\p{N} ._()-]/gu, '_')
    .slice(-200)
  return cleaned.replace(/^\.+/, '') || 'file'
}

/** Checks an uploaded file against the LMS settings; ERR_LMS_FILE_REJECTED says why. */
export function acceptUpload(file: MultipartFile | null, settings: LmsSettings): MultipartFile {
  if (!file) throw new E_FILE_REJECTED(['send the file in the multipart field "file"'])
  const extension = (file.extname ?? '').toLowerCase()
  if (!settings.allowed_extensions.includes(extension)) {
    throw new E_FILE_REJECTED([`files of type "${extension || 'unknown'}" are not accepted`], {
      details: { allowed: settings.allowed_extensions },
    })
  }
  if (file.size > settings.max_upload_mb * 1024 * 1024) {
    throw new E_FILE_REJECTED([`the file is larger than ${settings.max_upload_mb} MB`])
  }
  if (!file.isValid || !file.tmpPath) {
    throw new E_FILE_REJECTED([file.errors[0]?.message ?? 'the upload did not complete'])
  }
  return file
}

/** Moves an accepted upload under `folder` of the tenant's storage. */
export async function storeUpload(file: MultipartFile, folder: string): Promise<StoredFile> {
  const extension = (file.extname ?? '').toLowerCase()
  const key = `${folder}/${randomUUID()}${extension ? `.${extension}` : ''}`
  // Decided before the move, from the bytes: the type the client sent is not trusted.
  const contentType = await uploadContentType(file)
  const target = filePath(key)
  await file.move(dirname(target), { name: basename(target), overwrite: false })
  return {
    key,
    name: safeName(file.clientName),
    size: file.size,
    content_type: contentType,
    uploaded_at: new Date().toISOString(),
  }
}

/** Removes a stored file; a missing file is not an error. */
export async function removeFile(key: string) {
  await rm(filePath(key), { force: true })
}

/** The LMS's signing key (download links, room names), derived from APP_KEY: rotating APP_KEY voids every link. */
function signingSecret() {
  return signingKey('lms')
}

function signature(path: string, fileKey: string, expires: number) {
  const tenant = tenantContext.require()
  return createHmac('sha256', signingSecret())
    .update(`${tenant.id}\n${path}\n${fileKey}\n${expires}`)
    .digest('base64url')
}

/** `<origin>path?expires=<unix seconds>&signature=<hmac>&tenant=<slug>`, valid for `ttlSeconds`. */
export function signedLink(path: string, fileKey: string, ttlSeconds: number, now = Date.now()) {
  const expires = Math.floor(now / 1000) + ttlSeconds
  return {
    url: absoluteLink(`${path}?expires=${expires}&signature=${signature(path, fileKey, expires)}`),
    expires_at: new Date(expires * 1000).toISOString(),
  }
}

/** Whether a link's expiry and signature are those `signedLink` made for this path and file, in time. */
export function validLink(
  path: string,
  fileKey: string,
  query: { expires: string; signature: string },
  now = Date.now()
) {
  const expires = Number(query.expires)
  if (!Number.isSafeInteger(expires) || expires * 1000 < now) return false
  const expected = Buffer.from(signature(path, fileKey, expires))
  const given = Buffer.from(query.signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** A room name nobody can derive from the tenant, course and session alone. */
export function roomSecret(sessionId: string) {
  const tenant = tenantContext.require()
  return createHmac('sha256', signingSecret())
    .update(`room\n${tenant.id}\n${sessionId}`)
    .digest('hex')
    .slice(0, 16)
}
