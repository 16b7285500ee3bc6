import { posix } from 'node:path'
import { E_BAD_REQUEST } from '../errors.js'
import { tenantContext } from './context.js'

/*
 * Names of shared resources, prefixed with the current tenant, so that no
 * cache entry, file or log line of one tenant can be read as another's.
 * Each throws ERR_NO_TENANT_CONTEXT when called outside a tenant context.
 */

/**
 * A cache key of the current tenant: `t:{<tenant id>}:<key>`. The braces are a
 * Redis Cluster hash tag: a tenant's keys share a slot (one MGET or MULTI may
 * name several), and tenants spread over the shards (core/redis/keys.ts).
 */
export function tenantCacheKey(key: string) {
  return `t:{${tenantContext.require().id}}:${key}`
}

/**
 * A storage path of the current tenant: `tenants/<tenant id>/<path>`. The path
 * is normalised and may not climb out of the tenant's folder.
 */
export function tenantStoragePath(path: string) {
  const slashed = path.replaceAll('\\', '/')
  const normalized = posix.normalize(`/${slashed}`).slice(1)
  if (!normalized || slashed.split('/').includes('..')) {
    throw new E_BAD_REQUEST([`Invalid storage path "${path}"`])
  }
  return `tenants/${tenantContext.require().id}/${normalized}`
}

/** Fields every log line written for the current tenant carries. */
export function tenantLogFields(): { tenant_id?: string } {
  const tenant = tenantContext.current()
  return tenant ? { tenant_id: tenant.id } : {}
}
