import env from '#start/env'

/**
 * How workers notice a crashed worker's jobs (bull's stalled-job check). A
 * worker holds a lock on each job it runs and renews it every half
 * `lockDurationMs`; when a worker dies, its locks lapse and the next check
 * (every `stalledIntervalMs`, by any worker) puts the job back in the queue.
 * A job recovered more than `maxStalledCount` times fails for good instead:
 * a job that kills its worker must not kill every worker in turn.
 */
const jobsConfig = {
  /** A crashed worker's job waits at most this long (plus one check) before another worker takes it. */
  lockDurationMs: env.get('ORYNE_JOB_LOCK_MS') ?? 30_000,
  stalledIntervalMs: env.get('ORYNE_JOB_STALLED_CHECK_MS') ?? 30_000,
  maxStalledCount: env.get('ORYNE_JOB_MAX_STALLS') ?? 1,
}

export default jobsConfig
