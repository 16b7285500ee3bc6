import { createRequire } from 'node:module'
import type Queue from 'bull'
import type { Logger } from '@adonisjs/core/logger'
import type { RedisConnections } from '../redis/connections.js'
import { queuePrefix } from '../redis/keys.js'
import { E_JOB_NOT_FOUND } from '../errors.js'
import type {
  DispatchOptions,
  FailedJob,
  JobDefinition,
  JobGaveUp,
  JobPayload,
  JobRunner,
  JobsDriver,
  QueueStatus,
  ScheduleOptions,
} from './types.js'

/** How a crashed worker's jobs are found and retried (config/jobs.ts). */
export type StalledJobSettings = {
  lockDurationMs: number
  stalledIntervalMs: number
  maxStalledCount: number
}

/**
 * bull (CommonJS) is required when the first queue is made: a command that
 * queues nothing (`oryne tenant list`) never loads it and its dependencies.
 */
const requireBull = () => createRequire(import.meta.url)('bull') as typeof Queue

/** Jobs on Redis through bull: survive restarts, shared by every worker process. */
export class BullDriver implements JobsDriver {
  readonly kind = 'bull'
  #queues = new Map<string, Queue.Queue>()
  #gaveUp: Array<(failure: JobGaveUp) => void> = []

  constructor(
    private redis: RedisConnections,
    private logger: Logger,
    private prefix = 'oryne',
    private stalled?: StalledJobSettings
  ) {}

  onGiveUp(listener: (failure: JobGaveUp) => void) {
    this.#gaveUp.push(listener)
  }

  #settings(): Queue.AdvancedSettings | undefined {
    if (!this.stalled) return undefined
    const { lockDurationMs, stalledIntervalMs, maxStalledCount } = this.stalled
    return {
      lockDuration: lockDurationMs,
      lockRenewTime: Math.floor(lockDurationMs / 2),
      stalledInterval: stalledIntervalMs,
      maxStalledCount,
    }
  }

  /** Logs recoveries and reports jobs that fail for good (the queue emits `failed` for every failed try). */
  #watch(queue: Queue.Queue, name: string) {
    queue.on('error', (error) => this.logger.error({ err: error, queue: name }, 'queue error'))
    queue.on('stalled', (job) =>
      this.logger.warn(
        {
          queue: name,
          job: job.name,
          job_id: String(job.id),
          tenant_id: (job.data as JobPayload)?.tenant_id ?? undefined,
        },
        'job stalled (its worker stopped): queued again'
      )
    )
    queue.on('failed', async (job, error) => {
      // A try that will be retried leaves the job delayed or waiting; only a final failure leaves it failed.
      if (!this.#gaveUp.length || !(await job.isFailed().catch(() => false))) return
      const failure: JobGaveUp = {
        name: job.name,
        queue: name,
        jobId: String(job.id),
        tenantId: (job.data as JobPayload)?.tenant_id ?? null,
        attemptsMade: job.attemptsMade,
        error,
      }
      for (const listener of this.#gaveUp) listener(failure)
    })
  }

  queue(name: string) {
    let queue = this.#queues.get(name)
    if (!queue) {
      const Bull = requireBull()
      queue = new Bull(name, {
        // On a Redis Cluster each queue has its own hash tag: its keys share a slot (bull's
        // scripts and MULTIs need that), and the queues spread over the shards.
        prefix: queuePrefix(this.prefix, name, this.redis.cluster),
        createClient: (type) => {
          if (type === 'client') return this.redis.shared()
          if (type === 'subscriber') return this.redis.subscriber()
          return this.redis.create()
        },
        settings: this.#settings(),
      })
      this.#watch(queue, name)
      this.#queues.set(name, queue)
    }
    return queue
  }

  #jobOptions(definition: JobDefinition): Queue.JobOptions {
    return {
      attempts: definition.attempts,
      backoff: { type: 'exponential', delay: definition.backoff },
      timeout: definition.timeout,
      // Completed jobs are trimmed; failed ones are kept for inspection and retry.
      removeOnComplete: 1000,
      removeOnFail: 10_000,
    }
  }

  async dispatch(definition: JobDefinition, payload: JobPayload, options: DispatchOptions) {
    const job = await this.queue(definition.queue).add(definition.name, payload, {
      ...this.#jobOptions(definition),
      delay: options.delay,
      priority: options.priority,
      jobId: options.jobId,
    })
    return String(job.id)
  }

  #repeat(options: ScheduleOptions): Queue.JobOptions['repeat'] {
    if (options.cron) return { cron: options.cron, tz: options.tz }
    return { every: options.every! }
  }

  async schedule(definition: JobDefinition, payload: JobPayload, options: ScheduleOptions) {
    await this.queue(definition.queue).add(definition.name, payload, {
      ...this.#jobOptions(definition),
      repeat: this.#repeat(options),
      jobId: options.key,
    })
  }

  async unschedule(definition: JobDefinition, options: ScheduleOptions) {
    const repeat = options.cron ? { cron: options.cron, tz: options.tz } : { every: options.every! }
    await this.queue(definition.queue).removeRepeatable(definition.name, {
      ...repeat,
      jobId: options.key,
    })
  }

  async work(definitions: JobDefinition[], run: JobRunner) {
    for (const definition of definitions) {
      this.queue(definition.queue).process(definition.name, definition.concurrency, (job) =>
        run(definition, job.data as JobPayload, {
          jobId: String(job.id),
          attempt: job.attemptsMade + 1,
        })
      )
    }
  }

  async status(queues: string[]): Promise<QueueStatus[]> {
    return Promise.all(
      queues.map(async (name) => {
        const queue = this.queue(name)
        const [counts, paused] = await Promise.all([queue.getJobCounts(), queue.getPausedCount()])
        return { queue: name, ...counts, paused }
      })
    )
  }

  async failed(queueName: string, limit: number): Promise<FailedJob[]> {
    const jobs = await this.queue(queueName).getFailed(0, limit - 1)
    return jobs.filter(Boolean).map((job) => ({
      id: String(job.id),
      name: job.name,
      queue: queueName,
      tenant_id: (job.data as JobPayload)?.tenant_id ?? null,
      attempts_made: job.attemptsMade,
      failed_reason: job.failedReason ?? '',
      failed_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      data: (job.data as JobPayload)?.data,
    }))
  }

  async retry(queueName: string, jobId: string) {
    const job = await this.queue(queueName).getJob(jobId)
    if (!job || !(await job.isFailed())) throw new E_JOB_NOT_FOUND([jobId, queueName])
    await job.retry()
  }

  async close() {
    // close() waits for the jobs this process is running to finish.
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()))
    this.#queues.clear()
  }
}
