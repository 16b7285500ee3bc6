import { createHmac, timingSafeEqual } from 'node:crypto'
import { signingKey } from '../sdk/services.js'
import { tenantContext } from '../tenancy/context.js'
import { storageConfig } from './config.js'

/*
 * Signed download links: `/api/v1/files/<id>/download?expires=<unix seconds>&signature=<hmac>`.
 * The HMAC (a key derived from APP_KEY for this purpose alone) covers the
 * tenant, the file and the expiry: a link of one tenant is worthless with
 * another's, and rotating APP_KEY voids every link.
 */

function signature(fileId: string, expires: number) {
  return createHmac('sha256', signingKey('files'))
    .update(`${tenantContext.require().id}\n${fileId}\n${expires}`)
    .digest('base64url')
}

export type FileLink = { url: string; expires_at: string }

/** A download link of a file of the current tenant, valid for `ttlSeconds`. */
export function signFileLink(
  fileId: string,
  ttlSeconds = storageConfig.linkTtlSeconds(),
  now = Date.now()
): FileLink {
  const expires = Math.floor(now / 1000) + Math.floor(ttlSeconds)
  const path = `/api/v1/files/${encodeURIComponent(fileId)}/download`
  return {
    url: `${path}?expires=${expires}&signature=${signature(fileId, expires)}`,
    expires_at: new Date(expires * 1000).toISOString(),
  }
}

/** Whether `expires` and `signature` are those signFileLink made for this file of the current tenant, in time. */
export function validFileLink(
  fileId: string,
  query: { expires?: unknown; signature?: unknown },
  now = Date.now()
) {
  const expires = Number(query.expires)
  if (!Number.isSafeInteger(expires) || expires * 1000 < now) return false
  if (typeof query.signature !== 'string') return false
  const expected = Buffer.from(signature(fileId, expires))
  const given = Buffer.from(query.signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
