import app from '@adonisjs/core/services/app'
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * Prometheus metrics of this process, served at GET /metrics. One registry per
 * process; default process metrics (CPU, memory, event loop lag, GC) included.
 */
export const registry = new Registry()
collectDefaultMetrics({ register: registry, prefix: 'oryne_' })

export const httpRequestDuration = new Histogram({
  name: 'oryne_http_request_duration_seconds',
  help: 'HTTP request duration in seconds, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
})

export type QueueCounts = Record<string, Record<string, number>>

export type FleetMigrationCounts = { up_to_date: number; behind: number; failed: number }

/**
 * How long one count of the fleet answers scrapes. Counting reads the tenant
 * registry and every tenant's migration fingerprint; Prometheus scrapes every
 * 15 s by default, but several scrapers (replicas, a dashboard, someone with
 * curl) can ask far more often. Within this window a burst of scrapes costs
 * one count, and a change in the fleet shows up at the latest this much later.
 */
export const FLEET_COUNTS_TTL_MS = 15_000

type FleetCount = { at: number; counts: Promise<FleetMigrationCounts | null> }

/**
 * Where the gauges read at scrape time: the jobs service's queue counts and
 * the fleet's migration states (the container's `oryne.metric_sources`, made
 * by the provider; only processes that serve GET /metrics ever resolve it).
 */
export class MetricSources {
  #fleetCounts: FleetCount | null = null

  constructor(
    readonly queueCounts: () => Promise<QueueCounts>,
    private countFleet: () => Promise<FleetMigrationCounts>
  ) {}

  /** The cached count, or a new one; concurrent scrapes share the count in flight. */
  fleetMigrations() {
    const now = Date.now()
    if (this.#fleetCounts && now - this.#fleetCounts.at < FLEET_COUNTS_TTL_MS)
      return this.#fleetCounts.counts
    const entry: FleetCount = {
      at: now,
      counts: this.countFleet().catch(() => {
        // A failed count is not kept: the next scrape tries again.
        if (this.#fleetCounts === entry) this.#fleetCounts = null
        return null
      }),
    }
    this.#fleetCounts = entry
    return entry.counts
  }
}

const sources = () => app.container.make('oryne.metric_sources')

new Gauge({
  name: 'oryne_queue_jobs',
  help: 'Jobs per queue and state (waiting, active, delayed, failed, completed)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset()
    const { queueCounts } = await sources()
    const counts = await queueCounts().catch(() => ({}) as QueueCounts)
    for (const [queue, states] of Object.entries(counts)) {
      for (const [state, value] of Object.entries(states)) this.set({ queue, state }, value)
    }
  },
})

new Gauge({
  name: 'oryne_tenant_migrations',
  help: 'Tenants by migration state: up_to_date (fingerprint matches), behind (to check or migrate), failed (last run failed)',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    this.reset()
    const metricSources = await sources()
    const counts = await metricSources.fleetMigrations()
    if (counts) for (const [state, value] of Object.entries(counts)) this.set({ state }, value)
  },
})
