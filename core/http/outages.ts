/*
 * Whether an error means PostgreSQL or Redis is out of reach (down,
 * restarting, refusing connections), as opposed to a bug or bad input: the
 * API answers those 503 ERR_SERVICE_UNAVAILABLE with Retry-After instead of
 * a 500, so clients retry and alerts tell an outage from a defect.
 */

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'])
/** SQLSTATE class 08 (connection exception) and 57P0x (server shutting down or starting). */
const POSTGRES_STATES = /^(08\d{3}|57P0[1-4])$/
const POSTGRES_MESSAGES = [
  'Connection terminated',
  'Knex: Timeout acquiring a connection',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
]
const REDIS_MESSAGES = [
  'Connection is closed',
  "Stream isn't writeable",
  'Reached the max retries per request',
  // A Redis Cluster failing over or resharding longer than the client's retries last.
  'CLUSTERDOWN',
  'TRYAGAIN',
  'Failed to refresh slots cache',
  'Too many Cluster redirections',
  'None of startup nodes is available',
  "Cluster isn't ready",
]

export type Outage = 'postgresql' | 'redis'

export function outageOf(error: unknown): Outage | null {
  for (
    let current = error as any, depth = 0;
    current && depth < 5;
    current = current.cause, depth++
  ) {
    const message = String(current.message ?? '')
    if (
      current.name === 'MaxRetriesPerRequestError' ||
      REDIS_MESSAGES.some((m) => message.includes(m))
    )
      return 'redis'
    if (typeof current.code === 'string' && POSTGRES_STATES.test(current.code)) return 'postgresql'
    if (POSTGRES_MESSAGES.some((m) => message.includes(m))) return 'postgresql'
    if (NETWORK_CODES.has(current.code)) {
      // Which service refused: ioredis and pg both name the port; Redis errors come through ioredis.
      return /redis/i.test(String(current.stack ?? '')) ? 'redis' : 'postgresql'
    }
  }
  return null
}
