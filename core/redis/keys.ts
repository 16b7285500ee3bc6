/*
 * Key names that hold on a Redis Cluster. A cluster places each key by the
 * hash of its tag (the part between the first `{` and the next `}`) or, without
 * one, of the whole key; a command that names several keys (MULTI, MGET, bull's
 * Lua scripts) needs them all on one slot. So:
 * - each bull queue's keys carry the queue's tag, `{oryne:<queue>}:<queue>:wait`:
 *   one queue on one slot, as bull requires, and different queues on different shards;
 * - each tenant's cache keys carry the tenant's tag, `t:{<tenant id>}:…`
 *   (core/tenancy/scoping.ts): one tenant's keys on one slot, tenants spread;
 * - single-key families (rate-limit counters, dedup claims) carry no tag and spread by key.
 * A deployment prefix must therefore carry no tag itself: `{oryne}` would put
 * every key of the platform on one slot (one shard, no scale-out).
 */

/** The deployment prefix (ORYNE_REDIS_PREFIX) without braces, which would make it a hash tag. */
export function plainPrefix(prefix = process.env.ORYNE_REDIS_PREFIX || 'oryne') {
  return prefix.replace(/[{}]/g, '') || 'oryne'
}

/** bull's prefix for one queue: as configured on one server, the queue's own hash tag on a cluster. */
export function queuePrefix(prefix: string, queue: string, cluster: boolean) {
  return cluster ? `{${plainPrefix(prefix)}:${queue}}` : prefix
}
