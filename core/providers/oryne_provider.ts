import type { ApplicationService } from '@adonisjs/core/types'
import { RedisConnections } from '../redis/connections.js'
import { JobsService } from '../jobs/jobs_service.js'
import { BullDriver } from '../jobs/bull_driver.js'
import { InlineDriver } from '../jobs/inline_driver.js'
import { setQueueCountsSource } from '../observability/metrics.js'

declare module '@adonisjs/core/types' {
  interface ContainerBindings {
    'oryne.redis': RedisConnections
    'oryne.jobs': JobsService
  }
}

/** Registers Oryne's kernel services in the container and closes them on shutdown. */
export default class OryneProvider {
  #redis?: RedisConnections
  #jobs?: JobsService

  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton('oryne.redis', () => {
      this.#redis = new RedisConnections(process.env.REDIS_URL || null)
      return this.#redis
    })

    this.app.container.singleton('oryne.jobs', async (resolver) => {
      const redis = await resolver.make('oryne.redis')
      const logger = await resolver.make('logger')
      const driver = redis.configured
        ? new BullDriver(redis, logger, process.env.ORYNE_REDIS_PREFIX || 'oryne')
        : new InlineDriver(logger)
      this.#jobs = new JobsService(driver, logger)
      return this.#jobs
    })
  }

  async ready() {
    const jobs = await this.app.container.make('oryne.jobs')
    setQueueCountsSource(async () => {
      const counts: Record<string, Record<string, number>> = {}
      for (const { queue, ...states } of await jobs.status()) counts[queue] = states
      return counts
    })
  }

  async shutdown() {
    setQueueCountsSource(null)
    // Jobs first: running jobs finish while Redis is still connected.
    await this.#jobs?.close()
    await this.#redis?.quit()
  }
}
