import env from '#start/env'

/** How tenants are found, provisioned and billed. Read by core/tenancy. */
const tenancyConfig = {
  /** Tried in this order on every request; the first that names a tenant wins. */
  resolvers: ['domain', 'subdomain', 'header'] as Array<'domain' | 'subdomain' | 'header'>,
  /** Requests to <slug>.<baseDomain> resolve to that tenant. */
  baseDomain: env.get('ORYNE_BASE_DOMAIN')?.toLowerCase() ?? null,
  /** Header naming the tenant by slug or id when no domain does. */
  header: 'x-tenant-id',
  /**
   * How long a process trusts a cached tenant lookup or plugin list: changes are
   * broadcast on the change bus at once, so this only bounds staleness when Redis
   * is unreachable (and spares the hot path a re-read every few seconds).
   */
  cacheTtlMs: 60_000,
  /** Sent as Retry-After while a tenant is provisioning or failed. */
  retryAfterSeconds: 5,
  /**
   * How a new tenant's schema is built (ORYNE_PROVISIONING_METHOD): `template`
   * takes a schema prepared ahead of time for the same plugins and prepares the
   * next one after the commit (core/tenancy/schema_templates.ts), `clone` runs
   * the whole schema as one script, `replay` applies migrations one by one.
   * Production takes `template` (tens of milliseconds against hundreds, see
   * docs/benchmarks.md); elsewhere `clone`, so that development databases and
   * test runs hold no prepared schemas.
   */
  provisioningMethod:
    env.get('ORYNE_PROVISIONING_METHOD') ??
    (env.get('NODE_ENV') === 'production' ? 'template' : 'clone'),
  /** Days past `paid_until` before automatic suspension, per plan. */
  plans: {
    free: { graceDays: 0 },
    standard: { graceDays: 14 },
    premium: { graceDays: 30 },
  } as Record<string, { graceDays: number }>,
  /** Tenants are warned this many days before they would be suspended. */
  billingWarningDays: 7,
  /** When the daily billing sweep runs (cron, UTC). */
  billingSweepCron: '15 2 * * *',
}

export default tenancyConfig
