import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { redisTargetOf, type RedisTarget } from './target.js'

/** A connection to the single Redis or to the Redis Cluster: the commands Oryne sends are the same. */
export type RedisClient = Redis | Cluster

/**
 * The process's Redis connections. One shared command connection (health,
 * cache, publishing) and one shared subscriber serve every queue; blocking
 * connections are created per queue, as bull requires. With a Redis Cluster
 * (core/redis/target.ts) each of them is an ioredis `Cluster`, which follows
 * MOVED/ASK redirections, failovers and reshardings by itself.
 */
export class RedisConnections {
  #target: RedisTarget | null
  #shared?: RedisClient
  #subscriber?: RedisClient
  #created = new Set<RedisClient>()
  #closed = false

  /** `url` is REDIS_URL: one node, or a comma list of cluster nodes; `cluster` forces cluster mode on one seed node. */
  constructor(
    url: string | null,
    cluster = ['true', '1'].includes(process.env.REDIS_CLUSTER ?? '')
  ) {
    this.#target = url ? redisTargetOf(url, cluster) : null
  }

  get configured() {
    return this.#target !== null
  }

  /** Whether the connections go to a Redis Cluster (keys must then be hash-tagged where they share a command). */
  get cluster() {
    return this.#target?.kind === 'cluster'
  }

  #connect(options: RedisOptions = {}): RedisClient {
    const target = this.#target
    if (!target) throw new Error('Redis is not configured (REDIS_URL is unset)')
    // Work finishing after shutdown must not open a connection nobody closes (it would
    // retry forever and keep the process alive).
    if (this.#closed) throw new Error('Redis connections are closed: the application is stopping')
    const client =
      target.kind === 'single'
        ? new Redis(target.url, { lazyConnect: false, ...options })
        : new Cluster(target.nodes, {
            lazyConnect: false,
            enableReadyCheck: options.enableReadyCheck ?? true,
            // A failover takes the cluster's node timeout plus an election: retry redirected
            // and refused commands for that long instead of failing them.
            retryDelayOnFailover: 200,
            retryDelayOnClusterDown: 300,
            retryDelayOnTryAgain: 200,
            slotsRefreshTimeout: 2000,
            redisOptions: { ...target.options, ...options },
          })
    // ioredis reconnects by itself; errors are surfaced by health checks and job failures.
    client.on('error', () => {})
    // bull adds listeners per queue to the shared client and subscriber: one queue per plugin area.
    client.setMaxListeners(100)
    this.#created.add(client)
    return client
  }

  shared() {
    this.#shared ??= this.#connect({ maxRetriesPerRequest: 1 })
    return this.#shared
  }

  /**
   * Opens the shared connection and waits (at most `timeoutMs`) until it is
   * ready, so the first requests after boot do not find it still connecting.
   * Never throws: an unreachable Redis is the health check's to report.
   */
  async warmUp(timeoutMs = 5000) {
    if (!this.configured) return
    const client = this.shared()
    if (client.status === 'ready') return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      function done() {
        clearTimeout(timer)
        client.off('ready', done)
        resolve()
      }
      client.once('ready', done)
    })
  }

  subscriber() {
    this.#subscriber ??= this.#connect({ maxRetriesPerRequest: null, enableReadyCheck: false })
    return this.#subscriber
  }

  /** A new connection (for blocking commands); closed with the others. */
  create(options: RedisOptions = {}) {
    return this.#connect({ maxRetriesPerRequest: null, enableReadyCheck: false, ...options })
  }

  async quit() {
    this.#closed = true
    await Promise.all(
      [...this.#created].map((client) => client.quit().catch(() => client.disconnect()))
    )
    this.#created.clear()
    this.#shared = undefined
    this.#subscriber = undefined
  }
}
