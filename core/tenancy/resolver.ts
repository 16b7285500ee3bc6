import type { HttpContext } from '@adonisjs/core/http'
import tenancyConfig from '#config/tenancy'
import {
  E_TENANT_ARCHIVED,
  E_TENANT_NOT_FOUND,
  E_TENANT_NOT_READY,
  E_TENANT_SUSPENDED,
} from '../errors.js'
import { SLUG_PATTERN } from './slug.js'
import type { TenantRegistry } from './tenant_registry.js'
import type { Tenant } from './types.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Resolved = { tenant: Tenant | null; named: string } | null

/**
 * Finds the tenant a request is for: custom domain, then subdomain of
 * ORYNE_BASE_DOMAIN, then the X-Tenant-ID header (slug or id), in the order
 * config/tenancy.ts gives. The first resolver that names a tenant decides,
 * found or not: a request never falls through to another tenant.
 */
export async function resolveTenant(ctx: HttpContext, registry: TenantRegistry): Promise<Tenant> {
  const host = (ctx.request.hostname() ?? '').toLowerCase()
  let resolved: Resolved = null
  for (const resolver of tenancyConfig.resolvers) {
    resolved = await RESOLVERS[resolver](ctx, host, registry)
    if (resolved) break
  }
  // A signed link names its tenant in its query (core/storage/links.ts), so a browser needs
  // no header; the signature binds that tenant, and the host or header still wins when they name one.
  resolved ??= await signedLinkTenant(ctx, registry)
  if (!resolved) {
    throw new E_TENANT_NOT_FOUND(['(none)'], {
      hint: `Name the tenant by its domain, a subdomain of the base domain, or the ${tenancyConfig.header} header.`,
    })
  }
  if (!resolved.tenant) throw new E_TENANT_NOT_FOUND([resolved.named])
  return assertServing(resolved.tenant)
}

const RESOLVERS: Record<
  (typeof tenancyConfig.resolvers)[number],
  (ctx: HttpContext, host: string, registry: TenantRegistry) => Promise<Resolved>
> = {
  async domain(_ctx, host, registry) {
    if (!host || host === tenancyConfig.baseDomain || isUnderBaseDomain(host)) return null
    const tenant = await registry.findByDomainCached(host)
    return tenant ? { tenant, named: host } : null
  },

  async subdomain(_ctx, host, registry) {
    if (!isUnderBaseDomain(host)) return null
    const label = host.slice(0, -(tenancyConfig.baseDomain!.length + 1))
    if (!SLUG_PATTERN.test(label)) return { tenant: null, named: label }
    return { tenant: await registry.findCached(label), named: label }
  },

  async header(ctx, _host, registry) {
    const value = ctx.request.header(tenancyConfig.header)?.trim().toLowerCase()
    if (!value) return null
    // Junk never reaches the database.
    if (!UUID.test(value) && !SLUG_PATTERN.test(value))
      return { tenant: null, named: value.slice(0, 64) }
    return { tenant: await registry.findCached(value), named: value }
  },
}

async function signedLinkTenant(ctx: HttpContext, registry: TenantRegistry): Promise<Resolved> {
  const query = ctx.request.qs()
  const value = typeof query.tenant === 'string' ? query.tenant.trim().toLowerCase() : ''
  if (!value || typeof query.signature !== 'string') return null
  if (!UUID.test(value) && !SLUG_PATTERN.test(value))
    return { tenant: null, named: value.slice(0, 64) }
  return { tenant: await registry.findCached(value), named: value }
}

function isUnderBaseDomain(host: string) {
  const base = tenancyConfig.baseDomain
  return Boolean(
    base && host.endsWith(`.${base}`) && !host.slice(0, -(base.length + 1)).includes('.')
  )
}

/** Only active tenants are served; every other status has its own answer. */
export function assertServing(tenant: Tenant): Tenant {
  switch (tenant.status) {
    case 'active':
      return tenant
    case 'suspended':
      throw new E_TENANT_SUSPENDED([tenant.slug])
    case 'archived':
      throw new E_TENANT_ARCHIVED([tenant.slug])
    case 'provisioning':
    case 'failed': {
      const error = new E_TENANT_NOT_READY([tenant.slug, tenant.status])
      Object.assign(error, { retryAfter: tenancyConfig.retryAfterSeconds })
      throw error
    }
    default:
      throw new E_TENANT_NOT_FOUND([tenant.slug])
  }
}
