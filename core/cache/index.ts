import { TenantCache } from './tenant_cache.js'

export {
  estimateBytes,
  intern,
  PLATFORM_SCOPE,
  TenantCache,
  type CacheKind,
} from './tenant_cache.js'

/**
 * The process's tenant cache: ORYNE_TENANT_CACHE_MB (64 by default) bounds it,
 * entries live ORYNE_TENANT_CACHE_TTL_MS (60 s by default) unless their kind
 * says otherwise. Changes reach other processes over the change bus at once;
 * the lifetime only bounds staleness when Redis is unreachable.
 */
export const tenantCache = new TenantCache({
  maxBytes: (Number(process.env.ORYNE_TENANT_CACHE_MB) || 64) * 1024 ** 2,
  ttlMs: Number(process.env.ORYNE_TENANT_CACHE_TTL_MS) || 60_000,
})
