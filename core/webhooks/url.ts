import { isIP } from 'node:net'
import { webhookConfig } from './config.js'
import { E_WEBHOOK_URL_INVALID } from './errors.js'

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost'])

/**
 * An endpoint URL Oryne will call: https, no credentials in it; plain http
 * only to the loopback interface when webhookConfig allows it (development and
 * tests). Returns the normalised URL.
 */
export function acceptEndpointUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new E_WEBHOOK_URL_INVALID(['it is not a URL'])
  }
  if (url.username || url.password)
    throw new E_WEBHOOK_URL_INVALID(['credentials do not belong in the URL'])
  if (url.protocol === 'https:') return url.toString()
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname) && webhookConfig.allowLoopbackHttp())
    return url.toString()
  throw new E_WEBHOOK_URL_INVALID([
    url.protocol === 'http:'
      ? 'https is required'
      : `the scheme "${url.protocol.replace(':', '')}" is not https`,
  ])
}

/** Whether a host is a literal IP address (used in logs and docs only). */
export function isLiteralAddress(host: string) {
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0
}
