import type { Logger } from '@adonisjs/core/logger'

/** What bull stores for every job: the tenant travels with the data (DESIGN.md). */
export type JobPayload<T = unknown> = {
  tenant_id: string | null
  data: T
  dispatched_at: string
}

export type JobContext = {
  /** Tenant the job was dispatched for; null for platform jobs. */
  tenantId: string | null
  jobId: string
  /** 1 for the first run, 2 for the first retry, ... */
  attempt: number
  logger: Logger
}

export type JobDefinition<T = any> = {
  /** `<plugin>.<job>` or `core.<job>`; unique in the process. */
  name: string
  /** Queue the job runs on; one worker can serve several queues. */
  queue: string
  /** Total tries before the job is kept as failed. */
  attempts: number
  /** First retry delay in ms; doubled at every further retry. */
  backoff: number
  /** Jobs of this kind a worker runs at once. */
  concurrency: number
  /** Fails a run that outlasts this many ms. */
  timeout?: number
  handle(data: T, context: JobContext): Promise<unknown> | unknown
}

export type DispatchOptions = {
  tenantId?: string | null
  /** Run no sooner than this many ms from now. */
  delay?: number
  /** 1 is the highest priority. */
  priority?: number
  /** Deduplicates: a job with an id already queued is not queued again. */
  jobId?: string
}

export type ScheduleOptions = {
  tenantId?: string | null
  /** Cron expression (5 or 6 fields) ... */
  cron?: string
  /** ... or a fixed interval in ms. */
  every?: number
  /** IANA time zone the cron expression is read in. */
  tz?: string
  /** Names this schedule so that scheduling it again replaces rather than adds. */
  key?: string
}

export type FailedJob = {
  id: string
  name: string
  queue: string
  tenant_id: string | null
  attempts_made: number
  failed_reason: string
  failed_at: string | null
  data: unknown
}

export type QueueStatus = {
  queue: string
  waiting: number
  active: number
  delayed: number
  failed: number
  completed: number
  paused: number
}

/** A job that failed for good: out of attempts, or recovered from crashed workers too often. */
export type JobGaveUp = {
  name: string
  queue: string
  jobId: string
  tenantId: string | null
  attemptsMade: number
  error: Error
}

/** Runs one try of a job; the jobs service wraps handlers with context and logging. */
export type JobRunner = (
  definition: JobDefinition,
  payload: JobPayload,
  meta: { jobId: string; attempt: number }
) => Promise<unknown>

/** The operations both drivers (bull, inline) provide. */
export interface JobsDriver {
  readonly kind: 'bull' | 'inline'
  dispatch(
    definition: JobDefinition,
    payload: JobPayload,
    options: DispatchOptions
  ): Promise<string>
  schedule(definition: JobDefinition, payload: JobPayload, options: ScheduleOptions): Promise<void>
  unschedule(definition: JobDefinition, options: ScheduleOptions): Promise<void>
  work(definitions: JobDefinition[], run: JobRunner): Promise<void>
  status(queues: string[]): Promise<QueueStatus[]>
  failed(queue: string, limit: number): Promise<FailedJob[]>
  retry(queue: string, jobId: string): Promise<void>
  /** Called once per job that fails for good, in the process that saw it fail. */
  onGiveUp(listener: (failure: JobGaveUp) => void): void
  /** Stops taking jobs and waits for running ones to finish. */
  close(): Promise<void>
}
