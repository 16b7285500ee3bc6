import logger from '@adonisjs/core/services/logger'
import { outboundRequest, type OutboundError, type OutboundResponse } from '../outbound/client.js'
import { notificationConfig } from './config.js'

/**
 * The General Notification Service contract (the product brief): POST
 * `<GNS_API_URL>/api/notifications/send` with `Authorization: Bearer
 * <GNS_API_KEY>` and `{tenant_id, user_id, channel, template, data, priority}`.
 * Oryne adds the text it rendered with the tenant's overrides (`subject`,
 * `body`) and the recipient's address; a GNS that renders its own templates
 * ignores them.
 */
export type GnsPayload = {
  tenant_id: string
  user_id: string
  channel: string
  template: string
  data: Record<string, unknown>
  priority: string
  subject: string | null
  body: string
  recipient: { email: string; name: string | null }
}

/** A failed send; `retryable` when trying again later may succeed (5xx, 408, 429, timeouts, network). */
export class GnsSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean
  ) {
    super(message)
  }
}

/** Sends one message; returns null when no GNS is configured (nothing was sent). */
export async function sendThroughGns(payload: GnsPayload): Promise<{ id: string | null } | null> {
  const base = notificationConfig.gnsUrl()
  if (!base) return null
  const timeout = notificationConfig.gnsTimeoutMs()
  let response: OutboundResponse
  try {
    response = await outboundRequest({
      service: 'GNS',
      url: `${base}/api/notifications/send`,
      method: 'POST',
      headers: {
        'authorization': `Bearer ${notificationConfig.gnsKey()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(payload),
      timeoutMs: timeout,
    })
  } catch (error) {
    // A refused address or a redirect stays wrong until an operator changes GNS_API_URL.
    const code = (error as OutboundError).code
    const retryable = code === 'ERR_UPSTREAM_TIMEOUT' || code === 'ERR_UPSTREAM_UNREACHABLE'
    throw new GnsSendError(
      code === 'ERR_UPSTREAM_TIMEOUT'
        ? `GNS did not answer within ${timeout} ms`
        : `${(error as Error).message} (${code})`,
      retryable
    )
  }
  if (response.status < 200 || response.status >= 300) {
    // Its answer goes to the log only: delivery records are shown to tenant admins.
    logger.warn({ status: response.status, body: response.text().slice(0, 2000) }, 'GNS refused')
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429
    throw new GnsSendError(`GNS answered ${response.status}`, retryable)
  }
  let body: Record<string, any> | null = null
  try {
    body = JSON.parse(response.text())
  } catch {}
  const id = body?.id ?? body?.data?.id ?? null
  return { id: id === null ? null : String(id) }
}
