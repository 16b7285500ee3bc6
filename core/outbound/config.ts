/*
 * Outbound call settings (docs/operations.md, "Security"), read from the
 * environment at every call so that a running process picks up what
 * operators or tests set.
 */

function positive(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

export const outboundConfig = {
  /**
   * Networks outside the public internet that Oryne may call anyway, as CIDRs:
   * `ORYNE_OUTBOUND_ALLOW=10.0.0.0/8,127.0.0.1/32`. Empty by default: only
   * public unicast addresses are called.
   */
  allowList: () => process.env.ORYNE_OUTBOUND_ALLOW ?? '',
  /** Default bound on one call when its caller sets none. */
  timeoutMs: () => positive('ORYNE_OUTBOUND_TIMEOUT_MS', 10_000),
  /** No call waits longer than this, whatever is asked. */
  maxTimeoutMs: 30_000,
  /** Largest answer read by default (1 MiB). */
  maxResponseBytes: () => positive('ORYNE_OUTBOUND_MAX_RESPONSE_BYTES', 1024 * 1024),
}
