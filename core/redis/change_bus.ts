import type { RedisClient, RedisConnections } from './connections.js'

/**
 * Tells every Oryne process that something it caches changed (a tenant's
 * status, a tenant's plugins), over Redis pub/sub on one subscriber connection.
 * On a Redis Cluster a PUBLISH reaches the subscribers of every node, so the
 * subscriber may sit on any of them (ioredis moves it when its node fails).
 * Without Redis there is one process, and local invalidation is enough.
 */
export class ChangeBus {
  #subscriber?: RedisClient
  #handlers = new Map<string, Array<(message: string) => void>>()

  constructor(private redis: RedisConnections) {}

  publish(channel: string, message: string) {
    if (this.redis.configured)
      this.redis
        .shared()
        .publish(channel, message)
        .catch(() => {})
  }

  async subscribe(channel: string, handler: (message: string) => void) {
    if (!this.redis.configured) return
    if (!this.#subscriber) {
      this.#subscriber = this.redis.create()
      this.#subscriber.on('message', (from, message) =>
        this.#handlers.get(from)?.forEach((h) => h(message))
      )
    }
    this.#handlers.set(channel, [...(this.#handlers.get(channel) ?? []), handler])
    await this.#subscriber.subscribe(channel)
  }
}
