import { hostname } from 'node:os'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

type Client = typeof db | TransactionClientContract

/** Statuses whose tenants have a schema to migrate. */
export const MIGRATABLE_STATUSES = ['active', 'suspended', 'archived'] as const

/** A tenant as the fleet sees it: its schema, enabled plugins and recorded migration state. */
export type FleetTenant = {
  id: string
  slug: string
  schema_name: string
  status: string
  plugins: string[]
  fingerprint: string | null
  last_error: { code: string; message: string; migration?: string } | null
  failed_at: Date | null
}

/**
 * Every tenant with a schema, its enabled plugins and its recorded migration
 * state, in one query: the input of the no-op check.
 */
export async function loadFleet(slugs?: string[]): Promise<FleetTenant[]> {
  const filter = slugs?.length ? 'AND t.slug = ANY(?)' : ''
  const { rows } = await db.rawQuery(
    `SELECT t.id, t.slug, t.schema_name, t.status, s.fingerprint, s.last_error, s.failed_at,
            coalesce(array_agg(tp.plugin ORDER BY tp.plugin) FILTER (WHERE tp.plugin IS NOT NULL),
                     '{}') AS plugins
       FROM tenants t
       LEFT JOIN tenant_migration_state s ON s.tenant_id = t.id
       LEFT JOIN tenant_plugins tp ON tp.tenant_id = t.id AND tp.status = 'enabled'
      WHERE t.status IN ('active', 'suspended', 'archived') ${filter}
      GROUP BY t.id, s.tenant_id
      ORDER BY t.created_at, t.slug`,
    slugs?.length ? [slugs.map((slug) => slug.toLowerCase())] : []
  )
  return rows
}

/** Records that a tenant's schema matches `fingerprint` (inside the transaction that made it so). */
export async function saveFingerprint(
  client: Client,
  tenantId: string,
  fingerprint: string,
  runId: string | null
) {
  await client.rawQuery(
    `INSERT INTO public.tenant_migration_state (tenant_id, fingerprint, migrated_at, run_id)
     VALUES (?, ?, now(), ?)
     ON CONFLICT (tenant_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
       migrated_at = now(), run_id = EXCLUDED.run_id, last_error = NULL, failed_at = NULL`,
    [tenantId, fingerprint, runId]
  )
}

/** Forgets a tenant's fingerprint, so that the next run reads its ledger (after a rollback or restore). */
export async function clearFingerprint(client: Client, tenantId: string) {
  await client.rawQuery(
    `UPDATE public.tenant_migration_state SET fingerprint = NULL WHERE tenant_id = ?`,
    [tenantId]
  )
}

/** Records a failed tenant: no fingerprint (the next run checks it again) and the error. */
export async function saveFailure(
  tenantId: string,
  error: { code: string; message: string; migration?: string },
  runId: string | null
) {
  await db.rawQuery(
    `INSERT INTO tenant_migration_state (tenant_id, fingerprint, last_error, failed_at, run_id)
     VALUES (?, NULL, ?, now(), ?)
     ON CONFLICT (tenant_id) DO UPDATE SET fingerprint = NULL, last_error = EXCLUDED.last_error,
       failed_at = now(), run_id = EXCLUDED.run_id`,
    [tenantId, JSON.stringify(error), runId]
  )
}

export type MigrationRun = {
  id: string
  status: 'running' | 'succeeded' | 'failed' | 'interrupted'
  actor: string
  host: string
  pid: number
  options: Record<string, unknown>
  summary: Record<string, unknown> | null
  started_at: Date
  finished_at: Date | null
}

function alive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Marks runs of this host whose process is gone as interrupted (a crash or
 * kill -9) and returns them: the new run resumes their work.
 */
export async function interruptedRuns(): Promise<MigrationRun[]> {
  const running: MigrationRun[] = await db
    .from('migration_runs')
    .where({ status: 'running', host: hostname() })
  const dead = running.filter((run) => run.pid !== process.pid && !alive(run.pid))
  if (dead.length) {
    await db
      .from('migration_runs')
      .whereIn(
        'id',
        dead.map((run) => run.id)
      )
      .update({ status: 'interrupted', finished_at: new Date() })
  }
  return dead
}

export async function startRun(id: string, actor: string, options: Record<string, unknown>) {
  await db.table('migration_runs').insert({
    id,
    status: 'running',
    actor,
    host: hostname(),
    pid: process.pid,
    options: JSON.stringify(options),
  })
}

export async function finishRun(id: string, status: MigrationRun['status'], summary: unknown) {
  await db
    .from('migration_runs')
    .where('id', id)
    .update({ status, summary: JSON.stringify(summary), finished_at: new Date() })
}

export async function lastRun(): Promise<MigrationRun | null> {
  return (await db.from('migration_runs').orderBy('started_at', 'desc').first()) ?? null
}
