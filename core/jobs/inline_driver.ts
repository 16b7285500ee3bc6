import { randomUUID } from 'node:crypto'
import cronParser from 'cron-parser'
import type { Logger } from '@adonisjs/core/logger'
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

type Entry = {
  id: string
  definition: JobDefinition
  payload: JobPayload
  attempt: number
  reason?: string
  failedAt?: Date
}

/**
 * Runs jobs in this process when no Redis is configured (development without
 * redis-server). Same retry and backoff rules as bull; nothing survives a restart.
 */
export class InlineDriver implements JobsDriver {
  readonly kind = 'inline'
  #run?: JobRunner
  #timers = new Set<NodeJS.Timeout>()
  #schedules = new Map<string, NodeJS.Timeout>()
  #active = new Set<Promise<unknown>>()
  #pending: Entry[] = []
  #failed = new Map<string, Entry>()
  #completed = 0
  #closing = false

  #gaveUp: Array<(failure: JobGaveUp) => void> = []

  constructor(private logger: Logger) {}

  onGiveUp(listener: (failure: JobGaveUp) => void) {
    this.#gaveUp.push(listener)
  }

  #later(ms: number, fn: () => void) {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      fn()
    }, ms)
    this.#timers.add(timer)
  }

  #execute(entry: Entry) {
    if (this.#closing) return
    if (!this.#run) {
      this.#pending.push(entry)
      return
    }
    const running = this.#run(entry.definition, entry.payload, {
      jobId: entry.id,
      attempt: entry.attempt,
    })
      .then(() => void this.#completed++)
      .catch((error: Error) => {
        if (entry.attempt < entry.definition.attempts) {
          const delay = entry.definition.backoff * 2 ** (entry.attempt - 1)
          this.#later(delay, () => this.#execute({ ...entry, attempt: entry.attempt + 1 }))
        } else {
          this.#failed.set(entry.id, { ...entry, reason: error.message, failedAt: new Date() })
          const { definition, payload } = entry
          for (const listener of this.#gaveUp)
            listener({
              name: definition.name,
              queue: definition.queue,
              jobId: entry.id,
              tenantId: payload.tenant_id,
              attemptsMade: entry.attempt,
              error,
            })
        }
      })
      .finally(() => this.#active.delete(running))
    this.#active.add(running)
  }

  async dispatch(definition: JobDefinition, payload: JobPayload, options: DispatchOptions) {
    const entry = { id: options.jobId ?? randomUUID(), definition, payload, attempt: 1 }
    this.#later(options.delay ?? 0, () => this.#execute(entry))
    return entry.id
  }

  #scheduleKey(definition: JobDefinition, options: ScheduleOptions) {
    return `${definition.name}:${options.key ?? options.cron ?? options.every}`
  }

  async schedule(definition: JobDefinition, payload: JobPayload, options: ScheduleOptions) {
    const key = this.#scheduleKey(definition, options)
    clearTimeout(this.#schedules.get(key))
    const next = () => {
      const wait = options.cron
        ? cronParser.parseExpression(options.cron, { tz: options.tz }).next().getTime() - Date.now()
        : options.every!
      const timer = setTimeout(() => {
        this.#execute({ id: randomUUID(), definition, payload, attempt: 1 })
        next()
      }, wait)
      timer.unref()
      this.#schedules.set(key, timer)
    }
    next()
  }

  async unschedule(definition: JobDefinition, options: ScheduleOptions) {
    const key = this.#scheduleKey(definition, options)
    clearTimeout(this.#schedules.get(key))
    this.#schedules.delete(key)
  }

  async work(_definitions: JobDefinition[], run: JobRunner) {
    this.#run = run
    for (const entry of this.#pending.splice(0)) this.#execute(entry)
  }

  async status(queues: string[]): Promise<QueueStatus[]> {
    return queues.map((queue) => {
      const failed = [...this.#failed.values()].filter((entry) => entry.definition.queue === queue)
      return {
        queue,
        waiting: this.#pending.filter((entry) => entry.definition.queue === queue).length,
        active: this.#active.size,
        delayed: this.#timers.size,
        failed: failed.length,
        completed: this.#completed,
        paused: 0,
      }
    })
  }

  async failed(queue: string, limit: number): Promise<FailedJob[]> {
    return [...this.#failed.values()]
      .filter((entry) => entry.definition.queue === queue)
      .slice(0, limit)
      .map((entry) => ({
        id: entry.id,
        name: entry.definition.name,
        queue,
        tenant_id: entry.payload.tenant_id,
        attempts_made: entry.attempt,
        failed_reason: entry.reason ?? '',
        failed_at: entry.failedAt?.toISOString() ?? null,
        data: entry.payload.data,
      }))
  }

  async retry(queue: string, jobId: string) {
    const entry = this.#failed.get(jobId)
    if (!entry || entry.definition.queue !== queue) throw new E_JOB_NOT_FOUND([jobId, queue])
    this.#failed.delete(jobId)
    this.#execute({ ...entry, attempt: 1 })
  }

  async close() {
    this.#closing = true
    for (const timer of [...this.#timers, ...this.#schedules.values()]) clearTimeout(timer)
    await Promise.allSettled([...this.#active])
    this.logger.debug('inline jobs drained')
  }
}
