function positive(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** Settings of the live notification stream (docs/notifications.md, "Live stream"). */
export const streamConfig = {
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatSeconds: () => positive('ORYNE_NOTIFICATION_STREAM_HEARTBEAT_SECONDS', 25),
  /** A stream is closed after this long (clients reconnect, and sign in again when the token expired). */
  maxSeconds: () => positive('ORYNE_NOTIFICATION_STREAM_MAX_SECONDS', 3600),
}
