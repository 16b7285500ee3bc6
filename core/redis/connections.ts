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

  constructor(url: string | null) {
    this.#url = url
  }

  get configured() {
    return this.#url !== null
  }

  #connect(options: RedisOptions = {}) {
    if (!this.#url) throw new Error('Redis is not configured (REDIS_URL is unset)')
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

  subscriber() {
    this.#subscriber ??= this.#connect({ maxRetriesPerRequest: null, enableReadyCheck: false })
    return this.#subscriber
  }

  /** A new connection (for blocking commands); closed with the others. */
  create(options: RedisOptions = {}) {
    return this.#connect({ maxRetriesPerRequest: null, enableReadyCheck: false, ...options })
  }

  async quit() {
    await Promise.all(
      [...this.#created].map((client) => client.quit().catch(() => client.disconnect()))
    )
    this.#created.clear()
    this.#shared = undefined
    this.#subscriber = undefined
  }
}
