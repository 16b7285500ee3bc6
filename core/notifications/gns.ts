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
  let response: Response
  try {
    response = await fetch(`${base}/api/notifications/send`, {
      method: 'POST',
      headers: {
        'authorization': `Bearer ${notificationConfig.gnsKey()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeout),
    })
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError'
    throw new GnsSendError(
      timedOut
        ? `GNS did not answer within ${timeout} ms`
        : `GNS is unreachable: ${(error as Error).message}`,
      true
    )
  }
  if (!response.ok) {
    const answer = await response.text().catch(() => '')
    const text = answer.slice(0, 300)
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429
    throw new GnsSendError(`GNS answered ${response.status}: ${text}`, retryable)
  }
  const body = (await response.json().catch(() => null)) as Record<string, any> | null
  const id = body?.id ?? body?.data?.id ?? null
  return { id: id === null ? null : String(id) }
}
