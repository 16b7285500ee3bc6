import { hostname } from 'node:os'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { E_TENANT_LOCKED } from '../errors.js'
import type { Tenant } from '../tenancy/types.js'

/**
 * The per-tenant advisory lock that provisioning, plugin changes, migrations,
 * rollbacks and restores all take, so no two of them change one schema at once.
 */
export function tenantLockKey(tenantId: string) {
  return `oryne:provision:${tenantId}`
}

/** How a process names itself to others waiting on its locks (pg_stat_activity, 63 bytes at most). */
export function lockLabel(operation: string, runId?: string) {
  const run = runId ? ` ${runId.slice(0, 8)}` : ''
  return `oryne ${operation}${run} pid ${process.pid}@${hostname()}`.slice(0, 63)
}

type Holder = {
  pid: number
  application_name: string
  usename: string | null
  client_addr: string | null
  xact_start: Date | null
}

/**
 * Who holds a tenant's lock right now, from pg_locks and pg_stat_activity: an
 * advisory lock on one bigint key shows as classid (high 32 bits) and objid
 * (low 32 bits), objsubid 1.
 */
export async function lockHolder(
  client: TransactionClientContract,
  tenantId: string
): Promise<Holder | null> {
  const { rows } = await client.rawQuery(
    `SELECT a.pid, a.application_name, a.usename, host(a.client_addr) AS client_addr, a.xact_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid::bigint = ((hashtext(?)::bigint >> 32) & 4294967295)
        AND l.objid::bigint = (hashtext(?)::bigint & 4294967295)
        AND a.pid <> pg_backend_pid()
      LIMIT 1`,
    [tenantLockKey(tenantId), tenantLockKey(tenantId)]
  )
  return rows[0] ?? null
}

export function describeHolder(holder: Holder | null) {
  if (!holder) return 'a process that has just released it'
  const who = holder.application_name || 'an Oryne process (provisioning or a plugin change)'
  const since = holder.xact_start
    ? `, since ${new Date(holder.xact_start).toISOString()} (${Math.round((Date.now() - new Date(holder.xact_start).getTime()) / 1000)} s)`
    : ''
  return `${who} (PostgreSQL backend ${holder.pid}${holder.client_addr ? ` from ${holder.client_addr}` : ''}${since})`
}

/**
 * Takes the tenant's lock for this transaction, naming this process to others
 * (application_name, reset at the end of the transaction), and pins the
 * transaction to the tenant's schema, in one round trip. Waits up to `waitMs`
 * for a holder to finish, then fails with ERR_TENANT_LOCKED naming the holder.
 */
export async function lockTenant(
  trx: TransactionClientContract,
  tenant: Pick<Tenant, 'id' | 'slug' | 'schema_name'>,
  options: { label: string; waitMs: number; scope?: boolean }
) {
  const searchPath = options.scope === false ? 'public' : `"${tenant.schema_name}", public`
  const deadline = Date.now() + options.waitMs
  let delay = 20
  for (;;) {
    const { rows } = await trx.rawQuery(
      `SELECT pg_try_advisory_xact_lock(hashtext(?)) AS locked,
              set_config('application_name', ?, true), set_config('search_path', ?, true)`,
      [tenantLockKey(tenant.id), options.label, searchPath]
    )
    if (rows[0].locked) return
    if (Date.now() >= deadline) {
      const holder = await lockHolder(trx, tenant.id)
      throw new E_TENANT_LOCKED([tenant.slug, describeHolder(holder)], {
        details: holder ? { pid: holder.pid, holder: holder.application_name } : undefined,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 250)
  }
}
