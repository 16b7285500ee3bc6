import { Redis, type RedisOptions } from 'ioredis'

/**
 * The process's Redis connections. One shared command connection (health,
 * cache, publishing) and one shared subscriber serve every queue; blocking
 * connections are created per queue, as bull requires.
 */
export class RedisConnections {
  #url: string | null
  #shared?: Redis
  #subscriber?: Redis
  #created = new Set<Redis>()
  #closed = false

  constructor(url: string | null) {
    this.#url = url
  }

  get configured() {
    return this.#url !== null
  }

  #connect(options: RedisOptions = {}) {
    if (!this.#url) throw new Error('Redis is not configured (REDIS_URL is unset)')
    // Work finishing after shutdown must not open a connection nobody closes (it would
    // retry forever and keep the process alive).
    if (this.#closed) throw new Error('Redis connections are closed: the application is stopping')
    const client = new Redis(this.#url, { lazyConnect: false, ...options })
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
