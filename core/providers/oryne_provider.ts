import { readFileSync } from 'node:fs'
import type { ApplicationService } from '@adonisjs/core/types'
import { RedisConnections } from '../redis/connections.js'
import { JobsService } from '../jobs/jobs_service.js'
import { BullDriver } from '../jobs/bull_driver.js'
import type { JobsDriver } from '../jobs/types.js'
import {
  configureErrorReporting,
  flushErrorReports,
  reportError,
} from '../observability/error_reporting.js'
import jobsConfig from '#config/jobs'
import { invalidateRolePermissions } from '../rbac/authorize.js'
import { TenancyService } from '../tenancy/tenancy_service.js'
import { TenantRegistry } from '../tenancy/tenant_registry.js'
import { tenantContext } from '../tenancy/context.js'
import tenancyConfig from '#config/tenancy'
import { coreTenantMigrations } from '#database/tenant_migrations/index'
import { ChangeBus } from '../redis/change_bus.js'
import type { PluginHost } from '../plugins/plugin_host.js'
import { EventBus } from '../events/events.js'
import type { MetricSources } from '../observability/metrics.js'
import type { SearchDriver } from '../search/types.js'
import type { TenantCollectionParts } from '../collections/parts.js'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))

declare module '@adonisjs/core/types' {
  interface ContainerBindings {
    'oryne.redis': RedisConnections
    'oryne.jobs': JobsService
    'oryne.tenancy': TenancyService
    'oryne.plugins': PluginHost
    'oryne.changes': ChangeBus
    'oryne.events': EventBus
    'oryne.search': SearchDriver
    'oryne.metric_sources': MetricSources
    'oryne.collections': TenantCollectionParts
  }
}

/** Redis channels on which processes tell each other what changed (one set per deployment prefix). */
const CHANNEL_PREFIX = process.env.ORYNE_REDIS_PREFIX || 'oryne'
const PLUGIN_CHANGES = `${CHANNEL_PREFIX}:plugins:changed`

/** Registers Oryne's kernel services in the container and closes them on shutdown. */
export default class OryneProvider {
  #redis?: RedisConnections
  #jobs?: JobsService
  /** The plugin host once `oryne.plugins` was made: the tenancy service looks it up, never builds it. */
  #plugins?: PluginHost

  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton('oryne.redis', () => {
      this.#redis = new RedisConnections(process.env.REDIS_URL || null)
      return this.#redis
    })

    /*
     * The plugin host, and with it whatever reacts to events and runs jobs: plugin
     * hooks and the core listeners and jobs below. Made at boot by every process
     * that may write (bootApp, start/plugins); read-only CLI commands skip it.
     */
    this.app.container.singleton('oryne.plugins', async (resolver) => {
      const [{ PluginHost }, { buildCatalog }, { discoverPlugins }] = await Promise.all([
        import('../plugins/plugin_host.js'),
        import('../plugins/catalog.js'),
        import('../plugins/discovery.js'),
        // Core jobs every worker processes: notification deliveries.
        import('../notifications/delivery.js'),
        // Search indexing on resource changes (Typesense) and its job.
        import('../search/indexing.js'),
        // Outbound webhooks: the event listener that creates deliveries, and their job.
        import('../webhooks/delivery.js'),
        // Collection automations: the listener on collection record events, and their jobs.
        import('../collections/automations/runner.js'),
      ])
      const changes = await resolver.make('oryne.changes')
      const tenancy = await resolver.make('oryne.tenancy')
      const candidates = await discoverPlugins(this.app.appRoot)
      const jobs = await resolver.make('oryne.jobs')
      const schedules = await import('../plugins/schedules.js')
      const host = new PluginHost(await buildCatalog(candidates, pkg.version), tenancy.registry, {
        cacheTtlMs: tenancyConfig.cacheTtlMs,
        onChange: (tenantId) => {
          // Enabling grants the plugin's permissions to roles: nobody may wait out the role cache for them.
          invalidateRolePermissions(tenantId)
          return changes.publish(PLUGIN_CHANGES, tenantId)
        },
        afterEnable: (tenant, manifests) =>
          schedules.startPluginSchedules(jobs, tenant.id, manifests),
        afterDisable: (tenant, manifest) =>
          schedules.stopPluginSchedules(jobs, tenant.id, manifest),
      })
      await changes.subscribe(PLUGIN_CHANGES, (tenantId) => {
        host.invalidate(tenantId)
        invalidateRolePermissions(tenantId)
      })
      this.#plugins = host
      // Plugin jobs and event hooks: events reach only plugins their tenant enabled.
      host.registerJobs()
      const logger = await resolver.make('logger')
      // A plugin that cannot load leaves its tenants without it: say so where operators look.
      const { unavailablePlugins } = await import('../plugins/plugin_health.js')
      for (const entry of unavailablePlugins(host.catalog()))
        logger.error(
          { plugin: entry.name, source: entry.source, reasons: entry.reasons },
          `plugin ${entry.name} is unavailable: ${entry.reasons[0]}`
        )
      return host
    })

    // Events reach the hooks of the plugins their tenant enabled, then core's listeners.
    this.app.container.singleton('oryne.events', async (resolver) => {
      const host = await resolver.make('oryne.plugins')
      const logger = await resolver.make('logger')
      return new EventBus(
        (event) => host.eventHandlers(event),
        (error, event) => {
          logger.error(
            { err: error, event: event.name, tenant_id: event.tenantId },
            'event hook failed'
          )
          reportError(error, { tags: { event: event.name, tenant_id: event.tenantId } })
        }
      )
    })

    // ORYNE_SEARCH_DRIVER: `postgres` (default) or `typesense`; made at start where HTTP is served.
    this.app.container.singleton('oryne.search', async () => {
      const { configuredSearchDriver } = await import('../search/search_service.js')
      return configuredSearchDriver()
    })

    /*
     * What the engine's lower layers (permissions, the OpenAPI document) need of a
     * tenant's collections, looked up here so that they never import core/collections.
     */
    this.app.container.singleton('oryne.collections', async () => {
      const { tenantCollectionParts } = await import('../collections/parts.js')
      return tenantCollectionParts
    })

    // What GET /metrics reads at scrape time: queue counts and the fleet's migration states.
    this.app.container.singleton('oryne.metric_sources', async (resolver) => {
      const [{ MetricSources }, jobs, tenancy] = await Promise.all([
        import('../observability/metrics.js'),
        resolver.make('oryne.jobs'),
        resolver.make('oryne.tenancy'),
      ])
      return new MetricSources(
        async () => {
          const counts: Record<string, Record<string, number>> = {}
          for (const { queue, ...states } of await jobs.status()) counts[queue] = states
          return counts
        },
        async () => {
          const { fleetStatus } = await import('../fleet/status.js')
          const status = await fleetStatus(tenancy)
          return {
            up_to_date: status.up_to_date,
            behind: status.to_check,
            failed: status.failed.length,
          }
        }
      )
    })

    this.app.container.singleton('oryne.jobs', async (resolver) => {
      const redis = await resolver.make('oryne.redis')
      const logger = await resolver.make('logger')
      let driver: JobsDriver
      if (redis.configured) {
        driver = new BullDriver(
          redis,
          logger,
          process.env.ORYNE_REDIS_PREFIX || 'oryne',
          jobsConfig
        )
      } else {
        const { InlineDriver } = await import('../jobs/inline_driver.js')
        driver = new InlineDriver(logger)
      }
      this.#jobs = new JobsService(driver, logger, {
        currentTenantId: () => tenantContext.current()?.id ?? null,
        // A job of a tenant runs in its context, read from the registry when it starts.
        runInTenant: async (tenantId, fn) => {
          const { registry } = await this.app.container.make('oryne.tenancy')
          return tenantContext.run(await registry.findOrFail(tenantId), fn)
        },
      })
      return this.#jobs
    })

    this.app.container.singleton('oryne.changes', async (resolver) => {
      return new ChangeBus(await resolver.make('oryne.redis'))
    })

    this.app.container.singleton('oryne.tenancy', async (resolver) => {
      const jobs = await resolver.make('oryne.jobs')
      const logger = await resolver.make('logger')
      // Registry look-ups live in the tenant cache, which tells other processes of changes itself.
      const registry = new TenantRegistry({ cacheTtlMs: tenancyConfig.cacheTtlMs })
      return new TenancyService(
        registry,
        jobs,
        logger,
        [coreTenantMigrations],
        tenancyConfig.provisioningMethod,
        {
          plans: tenancyConfig.plans,
          warningDays: tenancyConfig.billingWarningDays,
        },
        () => this.#plugins
      )
    })
  }

  async boot() {
    await configureErrorReporting({
      dsn: process.env.SENTRY_DSN || undefined,
      environment: process.env.SENTRY_ENVIRONMENT || this.app.nodeEnvironment,
      release: process.env.SENTRY_RELEASE || `oryne@${pkg.version}`,
      sampleRate: process.env.SENTRY_SAMPLE_RATE ? Number(process.env.SENTRY_SAMPLE_RATE) : 1,
    })
  }

  async ready() {
    const redis = await this.app.container.make('oryne.redis')
    await redis.warmUp()
    // Search and GET /metrics are answered on request paths, which load nothing late.
    if (this.app.getEnvironment() === 'console') return
    await this.app.container.make('oryne.search')
    await this.app.container.make('oryne.metric_sources')
  }

  async shutdown() {
    // Jobs first: running jobs finish while Redis is still connected.
    await this.#jobs?.close()
    await this.#redis?.quit()
    await flushErrorReports()
  }
}
