import { createHmac, timingSafeEqual } from 'node:crypto'
import { HttpContext } from '@adonisjs/core/http'
import { signingKey } from '../sdk/services.js'
import { tenantContext } from '../tenancy/context.js'
import { storageConfig } from './config.js'

/*
 * Signed download links: `https://<host>/api/v1/files/<id>/download?expires=<unix seconds>&signature=<hmac>&tenant=<slug>`.
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

/**
 * A signed link as a browser uses it, pasted in an address bar or an <a href>:
 * absolute, on the origin the request came to (the tenant's own domain when it
 * came there; X-Forwarded-Proto/Host only when the app trusts proxies, which
 * request.protocol() and host() follow), and naming its tenant in `tenant=`, so
 * neither the host nor an X-Tenant-ID header has to. The signature binds the
 * tenant: another tenant's name makes the link invalid. Outside a request (a
 * job, the CLI) there is no origin to take, and the link stays a path.
 */
export function absoluteLink(pathAndQuery: string): string {
  const tenant = tenantContext.current()
  const named = tenant
    ? `${pathAndQuery.includes('?') ? '&' : '?'}tenant=${encodeURIComponent(tenant.slug)}`
    : ''
  const request = HttpContext.get()?.request
  const host = request?.host()
  return `${host ? `${request!.protocol()}://${host}` : ''}${pathAndQuery}${named}`
}

/** A download link of a file of the current tenant, valid for `ttlSeconds`. */
export function signFileLink(
  fileId: string,
  ttlSeconds = storageConfig.linkTtlSeconds(),
  now = Date.now()
): FileLink {
  const expires = Math.floor(now / 1000) + Math.floor(ttlSeconds)
  const path = `/api/v1/files/${encodeURIComponent(fileId)}/download`
  return {
    url: absoluteLink(`${path}?expires=${expires}&signature=${signature(fileId, expires)}`),
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
