/*
 * Webhook settings (docs/webhooks.md), read from the environment when used so
 * that a running process picks up what tests or operators set.
 */

function positive(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** A receiver slower than this fails the attempt; never more than 30 s, whatever is set. */
const MAX_TIMEOUT_MS = 30_000

export const webhookConfig = {
  /** Tries of one delivery before it is given up (manual redelivery still works). */
  attempts: () => Math.floor(positive('ORYNE_WEBHOOK_ATTEMPTS', 8)),
  /** First retry delay; doubled at every further retry. */
  backoffMs: () => positive('ORYNE_WEBHOOK_BACKOFF_MS', 30_000),
  timeoutMs: () => Math.min(positive('ORYNE_WEBHOOK_TIMEOUT_MS', 10_000), MAX_TIMEOUT_MS),
  /** An endpoint failing without a single success for this long is disabled. */
  disableAfterSeconds: () => positive('ORYNE_WEBHOOK_DISABLE_AFTER_SECONDS', 86_400),
  /**
   * Plain http:// to the loopback interface (127.0.0.1, ::1, localhost), for
   * development and tests. Never in production, whatever is set. Connecting
   * there also needs the address in ORYNE_OUTBOUND_ALLOW (core/outbound).
   */
  allowLoopbackHttp: () =>
    process.env.NODE_ENV !== 'production' &&
    (process.env.ORYNE_WEBHOOK_ALLOW_LOOPBACK_HTTP ?? 'true') === 'true',
}
