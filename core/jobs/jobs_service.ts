import type { Logger } from '@adonisjs/core/logger'
import { E_JOB_UNKNOWN, E_QUEUE_UNKNOWN } from '../errors.js'
import { reportError } from '../observability/error_reporting.js'
import { findJob, registeredJobs } from './define_job.js'
import type {
  DispatchOptions,
  JobDefinition,
  JobsDriver,
  JobRunner,
  ScheduleOptions,
} from './types.js'

/** Runs a job handler inside its tenant's context. */
export type TenantContextRunner = <T>(tenantId: string, fn: () => Promise<T>) => Promise<T>

/**
 * How jobs meet tenancy, given by the provider (core/jobs knows no tenant
 * registry): the tenant of the current context, and running in a tenant's.
 */
export type JobsTenancy = {
  currentTenantId: () => string | null
  runInTenant: TenantContextRunner
}

/** A jobs service on its own (tests of the drivers): no tenant context to read or restore. */
const NO_TENANCY: JobsTenancy = { currentTenantId: () => null, runInTenant: (_, fn) => fn() }

/**
 * The one way core and plugins queue work. Every payload carries the tenant it
 * belongs to (or null for platform work); the worker hands it back to the
 * handler so that tenant context can be restored before any query runs.
 */
export class JobsService {
  /** Job kinds this process already processes; work() can be called again as plugins register more. */
  #processing = new Set<string>()

  constructor(
    readonly driver: JobsDriver,
    private logger: Logger,
    private tenancy: JobsTenancy = NO_TENANCY
  ) {
    driver.onGiveUp((failure) => {
      const tags = {
        job: failure.name,
        queue: failure.queue,
        job_id: failure.jobId,
        tenant_id: failure.tenantId,
      }
      logger.error(
        { ...tags, err: failure.error, attempts_made: failure.attemptsMade },
        'job failed for good'
      )
      reportError(failure.error, { tags })
    })
  }

  #definition(name: string) {
    const definition = findJob(name)
    if (!definition) throw new E_JOB_UNKNOWN([name])
    return definition
  }

  #payload(data: unknown, tenantId?: string | null) {
    return { tenant_id: tenantId ?? null, data, dispatched_at: new Date().toISOString() }
  }

  /**
   * Queues one run of `name`; returns the job id. The tenant defaults to the
   * current tenant context; pass `tenantId: null` for platform work.
   */
  dispatch<T>(name: string | JobDefinition<T>, data: T, options: DispatchOptions = {}) {
    const definition = typeof name === 'string' ? this.#definition(name) : name
    const tenantId =
      options.tenantId === undefined ? this.tenancy.currentTenantId() : options.tenantId
    // A job id deduplicates within its tenant: tenants' own counters (import 1, import 2) must not collide.
    const jobId = options.jobId && tenantId ? `${tenantId}.${options.jobId}` : options.jobId
    return this.driver.dispatch(definition, this.#payload(data, tenantId), { ...options, jobId })
  }

  /** Runs `name` on a cron expression or a fixed interval (bull repeatable jobs). */
  schedule<T>(name: string | JobDefinition<T>, data: T, options: ScheduleOptions) {
    if (!options.cron === !options.every)
      throw new TypeError('schedule() takes exactly one of cron or every')
    const definition = typeof name === 'string' ? this.#definition(name) : name
    return this.driver.schedule(definition, this.#payload(data, options.tenantId), options)
  }

  unschedule(name: string | JobDefinition, options: ScheduleOptions) {
    const definition = typeof name === 'string' ? this.#definition(name) : name
    return this.driver.unschedule(definition, options)
  }

  /** Every queue a registered job runs on. */
  queues() {
    return [...new Set(registeredJobs().map((job) => job.queue))].sort()
  }

  #knownQueue(queue: string) {
    if (!this.queues().includes(queue)) throw new E_QUEUE_UNKNOWN([queue])
    return queue
  }

  status(queues = this.queues()) {
    return this.driver.status(queues.map((queue) => this.#knownQueue(queue)))
  }

  failed(queue: string, limit = 50) {
    return this.driver.failed(this.#knownQueue(queue), limit)
  }

  retry(queue: string, jobId: string) {
    return this.driver.retry(this.#knownQueue(queue), jobId)
  }

  /** Starts processing every registered job (optionally only those on `queues`). */
  async work(queues?: string[]) {
    const definitions = registeredJobs().filter(
      (job) => !this.#processing.has(job.name) && (!queues || queues.includes(job.queue))
    )
    definitions.forEach((job) => this.#processing.add(job.name))
    const run: JobRunner = async (definition, payload, meta) => {
      const logger = this.logger.child({
        job: definition.name,
        job_id: meta.jobId,
        attempt: meta.attempt,
        ...(payload.tenant_id ? { tenant_id: payload.tenant_id } : {}),
      })
      const started = Date.now()
      try {
        const handle = () =>
          Promise.resolve(
            definition.handle(payload.data, {
              tenantId: payload.tenant_id,
              jobId: meta.jobId,
              attempt: meta.attempt,
              logger,
            })
          )
        // A tenant job runs in its tenant's context, restored from the payload.
        const result = payload.tenant_id
          ? await this.tenancy.runInTenant(payload.tenant_id, handle)
          : await handle()
        logger.info({ duration_ms: Date.now() - started }, 'job completed')
        return result
      } catch (error) {
        logger.warn({ err: error, duration_ms: Date.now() - started }, 'job failed')
        throw error
      }
    }
    await this.driver.work(definitions, run)
  }

  /** Stops taking new jobs and waits for the running ones. */
  close() {
    return this.driver.close()
  }
}
