import type { JobDefinition } from './types.js'

const registry = new Map<string, JobDefinition>()

/**
 * Declares a job kind. Core and plugins call this at import time; `oryne worker`
 * (and `oryne up`) then process every registered kind on its queue.
 *
 * ```ts
 * export const sendReceipt = defineJob({ name: 'erp.send_receipt', handle: async (data, ctx) => {...} })
 * ```
 */
export function defineJob<T>(
  definition: Pick<JobDefinition<T>, 'name' | 'handle'> & Partial<JobDefinition<T>>
): JobDefinition<T> {
  if (!/^[a-z][a-z0-9-]*\.[a-z][a-z0-9_.-]*$/.test(definition.name)) {
    throw new TypeError(
      `Job name "${definition.name}" must look like "<plugin>.<job>" in lowercase`
    )
  }
  const full: JobDefinition<T> = {
    queue: 'default',
    attempts: 3,
    backoff: 1000,
    concurrency: 1,
    ...definition,
  }
  const existing = registry.get(full.name)
  if (existing && existing.handle !== full.handle) {
    throw new TypeError(`Job "${full.name}" is defined twice`)
  }
  registry.set(full.name, full)
  return full
}

export function registeredJobs(): JobDefinition[] {
  return [...registry.values()]
}

export function findJob(name: string): JobDefinition | undefined {
  return registry.get(name)
}
