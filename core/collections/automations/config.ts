/*
 * Collection automation settings (docs/collections.md, "Automations"), read
 * from the environment at every use so that a running process picks up what
 * operators or tests set.
 */

function positive(name: string, fallback: number) {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback
}

export const automationConfig = {
  /** Tries of one run before it is failed (the admin may retry it by hand then). */
  attempts: () => positive('ORYNE_AUTOMATION_ATTEMPTS', 3),
  /** Wait before the first retry in ms; doubled before each further one. */
  backoffMs: () => positive('ORYNE_AUTOMATION_BACKOFF_MS', 30_000),
  /** Records one scheduled run acts on at most (the rest wait for the next tick). */
  scheduledRecords: () => positive('ORYNE_AUTOMATION_SCHEDULE_RECORDS', 1000),
}
