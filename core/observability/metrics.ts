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

let queueCountsSource: (() => Promise<QueueCounts>) | null = null

/** The jobs service plugs its queue counts in; they are read at scrape time. */
export function setQueueCountsSource(source: (() => Promise<QueueCounts>) | null) {
  queueCountsSource = source
}

new Gauge({
  name: 'oryne_queue_jobs',
  help: 'Jobs per queue and state (waiting, active, delayed, failed, completed)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset()
    if (!queueCountsSource) return
    const counts = await queueCountsSource().catch(() => ({}) as QueueCounts)
    for (const [queue, states] of Object.entries(counts)) {
      for (const [state, value] of Object.entries(states)) this.set({ queue, state }, value)
    }
  },
})

export type FleetMigrationCounts = { up_to_date: number; behind: number; failed: number }

let fleetSource: (() => Promise<FleetMigrationCounts>) | null = null

/** The fleet module plugs in how many tenants are behind on migrations; read at scrape time. */
export function setFleetMigrationSource(source: (() => Promise<FleetMigrationCounts>) | null) {
  fleetSource = source
}

new Gauge({
  name: 'oryne_tenant_migrations',
  help: 'Tenants by migration state: up_to_date (fingerprint matches), behind (to check or migrate), failed (last run failed)',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    this.reset()
    if (!fleetSource) return
    const counts = await fleetSource().catch(() => null)
    if (counts) for (const [state, value] of Object.entries(counts)) this.set({ state }, value)
  },
})
