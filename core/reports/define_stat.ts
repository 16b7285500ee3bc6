import type { Tenant } from '../tenancy/types.js'

/** A figure of the dashboard: a number, or a small object of numbers (counts by status, ...). */
export type StatValue = number | string | null | Record<string, number | string | null>

/**
 * A dashboard statistic a plugin offers (`GET /api/v1/dashboard`). Values are
 * computed per tenant, kept in Redis for `ttlSeconds`, and dropped as soon as
 * one of the events in `invalidatedBy` happens in that tenant.
 */
export type StatDefinition = {
  /** snake_case, unique within the plugin; the dashboard says `<plugin>.<name>`. */
  name: string
  label: string
  description?: string
  /** Who sees it: a permission, or several of which any one will do. */
  permission: string | string[]
  /**
   * Events that change the figure: exact names (`erp.payments.created`) or
   * prefixes ending in `.*` (`erp.students.*`).
   */
  invalidatedBy: string[]
  /** How long a computed value is served from the cache; default 300. */
  ttlSeconds?: number
  /** Computes the value in the tenant's context (a read through readTenantDb). */
  compute(context: { tenant: Tenant }): Promise<StatValue> | StatValue
}

export function defineStat(definition: StatDefinition): StatDefinition {
  if (!/^[a-z][a-z0-9_]*$/.test(definition.name))
    throw new TypeError(`Stat name "${definition.name}" must be snake_case`)
  return definition
}
