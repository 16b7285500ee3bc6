/*
 * Notification settings, read from the environment when used (README.md lists
 * them), so that a running process picks up what tests or operators set.
 */

function positive(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

export const notificationConfig = {
  /** Base URL of the General Notification Service; unset: GNS deliveries are skipped (and logged). */
  gnsUrl: () => process.env.GNS_API_URL?.replace(/\/+$/, '') || null,
  gnsKey: () => process.env.GNS_API_KEY ?? '',
  /** A GNS call slower than this fails (and is retried). */
  gnsTimeoutMs: () => positive('GNS_TIMEOUT_MS', 10_000),
  /** Tries of one delivery before it becomes a dead letter. */
  attempts: () => positive('ORYNE_NOTIFICATION_ATTEMPTS', 5),
  /** First retry delay; doubled at every further retry. */
  backoffMs: () => positive('ORYNE_NOTIFICATION_BACKOFF_MS', 30_000),
  /** The same notification to the same user is sent once within this window. */
  dedupSeconds: () => positive('ORYNE_NOTIFICATION_DEDUP_SECONDS', 600),
}
