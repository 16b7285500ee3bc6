import type { RedisOptions } from 'ioredis'
import { E_CONFIG_INVALID } from '../errors.js'

/**
 * Where Oryne's Redis is, read from REDIS_URL: one server
 * (`redis://host:6379/0`), or a Redis Cluster given as a comma list of some of
 * its nodes (`redis://10.0.0.1:7000,redis://10.0.0.2:7000`; the client learns
 * the others from them). `REDIS_CLUSTER=true` makes a single URL a cluster seed.
 * Credentials and TLS (`rediss://`) come from the first URL and hold for every node.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }>; options: RedisOptions }

function parseNode(entry: string) {
  const withScheme = /^[a-z]+:\/\//i.test(entry) ? entry : `redis://${entry}`
  const invalid = () =>
    new E_CONFIG_INVALID([
      `REDIS_URL: "${entry}" is not a Redis node (expected redis://host:port, comma-separated for a cluster)`,
    ])
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw invalid()
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) throw invalid()
  return url
}

export function redisTargetOf(value: string, cluster = false): RedisTarget {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 1 && !cluster) return { kind: 'single', url: entries[0] }
  const urls = entries.map(parseNode)
  const first = urls[0]
  const options: RedisOptions = {}
  if (first.username) options.username = decodeURIComponent(first.username)
  if (first.password) options.password = decodeURIComponent(first.password)
  if (first.protocol === 'rediss:') options.tls = {}
  return {
    kind: 'cluster',
    nodes: urls.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) })),
    options,
  }
}
