import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { tenantContext } from './context.js'
import type { Tenant } from './types.js'

/**
 * Pins a transaction to a tenant's schema. `set_config(..., true)` is
 * `SET LOCAL`: it ends with the transaction, so a pooled connection (PgBouncer
 * in transaction mode included) never carries one tenant's search_path into
 * another's work. The schema name is derived from the tenant id and passed as
 * a bound value, never spliced from input.
 */
export async function scopeToTenant(trx: TransactionClientContract, tenant: Tenant) {
  await trx.rawQuery(`SELECT set_config('search_path', ?, true)`, [
    `"${tenant.schema_name}", public`,
  ])
}

/**
 * Runs `fn` with a transaction scoped to the current tenant's schema: plain
 * table names (in Lucid queries, models given `{ client: trx }` and raw SQL)
 * resolve to that tenant's tables. Nested calls reuse the open transaction.
 * Outside a tenant context this throws ERR_NO_TENANT_CONTEXT.
 */
export async function withTenantDb<T>(
  fn: (trx: TransactionClientContract) => Promise<T>
): Promise<T> {
  const tenant = tenantContext.require()
  const open = tenantContext.transaction()
  if (open) return fn(open)
  return db.transaction(async (trx) => {
    await scopeToTenant(trx, tenant)
    return tenantContext.runInTransaction(trx, () => fn(trx))
  })
}

/** Names a table of the current tenant's schema, for queries that run outside withTenantDb. */
export type TenantTable = (name: string, alias?: string) => string

/**
 * Runs a read of the current tenant without opening a transaction: `table()`
 * names the tenant's tables schema-qualified (`"tenant_x"."users" as "users"`),
 * so a single statement needs no search_path and costs one round trip instead
 * of four (BEGIN, set_config, query, COMMIT). Every table the query names must
 * go through `table()`; use withTenantDb for writes and multi-statement work.
 * Inside an open tenant transaction the read joins it.
 */
export async function readTenantDb<T>(
  fn: (client: QueryClientContract, table: TenantTable) => Promise<T>
): Promise<T> {
  const tenant = tenantContext.require()
  const table: TenantTable = (name, alias = name) => `${tenant.schema_name}.${name} as ${alias}`
  return fn(tenantContext.transaction() ?? db.connection(), table)
}
