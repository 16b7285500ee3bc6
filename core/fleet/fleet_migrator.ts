import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { E_MIGRATION_FAILED, E_TENANT_NOT_FOUND, toOryneError } from '../errors.js'
import type { GrantChanges } from '../plugins/grants.js'
import type { PluginHost } from '../plugins/plugin_host.js'
import type { TenancyService } from '../tenancy/tenancy_service.js'
import type { CompiledMigration } from '../tenancy/migrations/tenant_migrator.js'
import { failpoint } from '../utils/failpoint.js'
import {
  finishRun,
  interruptedRuns,
  loadFleet,
  saveFailure,
  saveFingerprint,
  startRun,
  type FleetTenant,
} from './fleet_state.js'
import { migrationKey, migrationScript, readLedger } from './ledger.js'
import { MigrationTargets, type MigrationTarget } from './target.js'
import { lockLabel, lockTenant } from './tenant_lock.js'

export type FleetMigrateOptions = {
  /** Only these tenants (slugs); all tenants with a schema otherwise. */
  tenants?: string[]
  /** Only this owner's migrations: a plugin name or "core". */
  plugin?: string
  concurrency: number
  /** List what would run per tenant; change nothing. */
  dryRun?: boolean
  /** Carry on after a failed tenant instead of starting no new work. */
  skipFailing?: boolean
  /** Read every tenant's ledger, ignoring the recorded fingerprints. */
  full?: boolean
  /** How long to wait for another process holding a tenant's lock. */
  lockWaitMs?: number
  actor: string
  onProgress?: (progress: FleetProgress) => void
}

export type TenantOutcomeStatus =
  'migrated' | 'up_to_date' | 'pending' | 'failed' | 'locked' | 'not_started'

export type TenantOutcome = {
  tenant: string
  tenant_id: string
  status: TenantOutcomeStatus
  applied: string[]
  /** Role grants the installed plugin versions added or withdrew (core/plugins/grants.ts). */
  grants?: GrantChanges[]
  pending?: string[]
  error?: { code: string; message: string; migration?: string }
  duration_ms?: number
}

export type FleetProgress = {
  done: number
  total: number
  failed: number
  migrated: number
  last: TenantOutcome
}

export type FleetMigrateResult = {
  ok: boolean
  run_id: string | null
  dry_run: boolean
  resumed: string[]
  counts: Record<TenantOutcomeStatus | 'tenants' | 'skipped_by_fingerprint', number>
  /** Every tenant not up to date: migrated, pending (dry run), failed, locked or not started. */
  tenants: TenantOutcome[]
  stopped_early: boolean
  duration_ms: number
}

/** A migration that failed, with the migration named for the report. */
class MigrationStepError extends Error {
  constructor(
    readonly migration: string,
    script: string,
    readonly original: unknown
  ) {
    // knex prefixes PostgreSQL's message with the whole script: keep the message.
    const message = (original as Error)?.message ?? String(original)
    super(message.startsWith(script) ? message.slice(script.length).replace(/^ - /, '') : message)
  }
}

function describeError(error: unknown): TenantOutcome['error'] {
  if (error instanceof MigrationStepError) {
    return {
      code: 'ERR_MIGRATION_FAILED',
      message: `${error.migration}: ${error.message}`,
      migration: error.migration,
    }
  }
  const oryne = toOryneError(error)
  return {
    code: oryne.code!,
    message:
      oryne.code === 'ERR_INTERNAL' && error instanceof Error ? error.message : oryne.message,
  }
}

/**
 * `oryne migrate` across the fleet. One query reads every tenant's enabled
 * plugins and recorded fingerprint; tenants whose fingerprint matches their
 * target are up to date without opening their schema. The others are migrated
 * with bounded concurrency on the shared pool: per tenant and owner (core, then
 * each plugin, dependencies first) one transaction under the tenant's advisory
 * lock, so a failure rolls back that owner's work and is reported while the
 * rest of the tenant's committed owners stay. A tenant's fingerprint is
 * written only once nothing is pending, in the transaction of its last owner:
 * a crashed or failed run is resumed by running again.
 */
export class FleetMigrator {
  #targets: MigrationTargets

  constructor(private tenancy: TenancyService) {
    this.#targets = new MigrationTargets(tenancy.migrationSets(), tenancy.plugins)
  }

  get plugins(): PluginHost {
    return this.tenancy.plugins
  }

  target(tenant: FleetTenant): MigrationTarget {
    return this.#targets.for(tenant.plugins)
  }

  /** Validates `--plugin`: "core" or an installed, available plugin. */
  #checkOwner(owner?: string) {
    if (owner && owner !== 'core') this.plugins.plugin(owner)
  }

  async #fleet(slugs?: string[]) {
    const tenants = await loadFleet(slugs)
    if (slugs?.length) {
      const found = new Set(tenants.map((t) => t.slug))
      const missing = slugs.filter((slug) => !found.has(slug.toLowerCase()))
      if (missing.length) throw new E_TENANT_NOT_FOUND([missing.join(', ')])
    }
    return tenants
  }

  async run(options: FleetMigrateOptions): Promise<FleetMigrateResult> {
    const started = performance.now()
    this.#checkOwner(options.plugin)
    const fleet = await this.#fleet(options.tenants)
    const runId = options.dryRun ? null : randomUUID()
    const interrupted = options.dryRun ? [] : await interruptedRuns()
    const resumed = interrupted.map((run) => run.id)
    if (runId) {
      await startRun(runId, options.actor, {
        tenants: options.tenants ?? null,
        plugin: options.plugin ?? null,
        concurrency: options.concurrency,
        skip_failing: Boolean(options.skipFailing),
        full: Boolean(options.full),
      })
    }

    // The no-op check: no schema is opened for a tenant whose fingerprint matches.
    const work = fleet.filter((tenant) => {
      const target = this.target(tenant)
      if (options.plugin && !target.sets.some((set) => set.owner === options.plugin)) return false
      return options.full || tenant.fingerprint !== target.fingerprint
    })
    const counts: FleetMigrateResult['counts'] = {
      tenants: fleet.length,
      skipped_by_fingerprint: fleet.length - work.length,
      migrated: 0,
      up_to_date: fleet.length - work.length,
      pending: 0,
      failed: 0,
      locked: 0,
      not_started: 0,
    }
    const outcomes: TenantOutcome[] = []
    let stopping = false
    let next = 0
    let done = 0
    const label = lockLabel('migrate', runId ?? undefined)

    const worker = async () => {
      while (next < work.length && !stopping) {
        const tenant = work[next++]
        const outcome = options.dryRun
          ? await this.#plan(tenant, options.plugin)
          : await this.#migrateTenant(tenant, {
              runId: runId!,
              owner: options.plugin,
              label,
              lockWaitMs: options.lockWaitMs ?? 2000,
            })
        counts[outcome.status] += 1
        if (outcome.status !== 'up_to_date') outcomes.push(outcome)
        if ((outcome.status === 'failed' || outcome.status === 'locked') && !options.skipFailing) {
          stopping = true
        }
        done += 1
        if (!options.dryRun) failpoint(`migrate:after_tenant:${done}`)
        options.onProgress?.({
          done,
          total: work.length,
          failed: counts.failed + counts.locked,
          migrated: counts.migrated,
          last: outcome,
        })
      }
    }
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.concurrency, work.length)) }, worker)
    )

    for (const tenant of work.slice(next)) {
      counts.not_started += 1
      outcomes.push({
        tenant: tenant.slug,
        tenant_id: tenant.id,
        status: 'not_started',
        applied: [],
      })
    }
    const result: FleetMigrateResult = {
      ok: counts.failed + counts.locked === 0,
      run_id: runId,
      dry_run: Boolean(options.dryRun),
      resumed,
      counts,
      tenants: outcomes,
      stopped_early: counts.not_started > 0,
      duration_ms: Math.round(performance.now() - started),
    }
    if (runId) {
      await finishRun(runId, result.ok ? 'succeeded' : 'failed', {
        counts,
        failed: outcomes
          .filter((o) => o.status === 'failed' || o.status === 'locked')
          .map((o) => ({ tenant: o.tenant, error: o.error })),
      })
    }
    return result
  }

  /** Dry run: what would be applied to one tenant (no lock, nothing written). */
  async #plan(tenant: FleetTenant, owner?: string): Promise<TenantOutcome> {
    const pending = await db.transaction(async (trx) => {
      await trx.rawQuery(`SELECT set_config('search_path', ?, true)`, [
        `"${tenant.schema_name}", public`,
      ])
      const ledger = await readLedger(trx)
      return this.target(tenant)
        .migrations.filter((m) => !owner || m.owner === owner)
        .filter((m) => !ledger.applied.has(migrationKey(m)))
        .map(migrationKey)
    })
    return {
      tenant: tenant.slug,
      tenant_id: tenant.id,
      status: pending.length ? 'pending' : 'up_to_date',
      applied: [],
      pending,
    }
  }

  async #migrateTenant(
    tenant: FleetTenant,
    options: { runId: string; owner?: string; label: string; lockWaitMs: number }
  ): Promise<TenantOutcome> {
    const started = performance.now()
    const target = this.target(tenant)
    const applied: string[] = []
    const grantChanges: GrantChanges[] = []
    try {
      // One transaction per owner with pending migrations; the loop ends when none is left.
      for (;;) {
        const step = await db.transaction(async (trx) => {
          await lockTenant(trx, tenant, { label: options.label, waitMs: options.lockWaitMs })
          const ledger = await readLedger(trx)
          const pendingAll = target.migrations.filter((m) => !ledger.applied.has(migrationKey(m)))
          const pending = pendingAll.filter((m) => !options.owner || m.owner === options.owner)
          const owner = pending[0]?.owner
          const now: CompiledMigration[] = pending.filter((m) => m.owner === owner)
          for (const migration of now) {
            const script = migrationScript(migration, ledger.nextBatch)
            try {
              await trx.rawQuery(script)
            } catch (error) {
              throw new MigrationStepError(migrationKey(migration), script, error)
            }
            failpoint('migrate:in_transaction')
          }
          let grants: GrantChanges[] = []
          if (pendingAll.length === now.length) {
            // The schema is current: bring the roles to the installed plugins' grants too.
            grants = await this.plugins.reconcileGrants(trx, tenant.id, tenant.plugins)
            await saveFingerprint(trx, tenant.id, target.fingerprint, options.runId)
          }
          return { applied: now.map(migrationKey), more: pending.length > now.length, grants }
        })
        applied.push(...step.applied)
        grantChanges.push(...step.grants)
        if (!step.more) break
      }
      return {
        tenant: tenant.slug,
        tenant_id: tenant.id,
        status: applied.length || grantChanges.length ? 'migrated' : 'up_to_date',
        applied,
        ...(grantChanges.length ? { grants: grantChanges } : {}),
        duration_ms: Math.round(performance.now() - started),
      }
    } catch (error) {
      const described = describeError(error)!
      await saveFailure(tenant.id, described, options.runId).catch(() => {})
      return {
        tenant: tenant.slug,
        tenant_id: tenant.id,
        status: described.code === 'ERR_TENANT_LOCKED' ? 'locked' : 'failed',
        applied,
        error: described,
        duration_ms: Math.round(performance.now() - started),
      }
    }
  }
}

/** The error a CLI run ends with when tenants failed: exit code 1, the summary in details. */
export function fleetFailure(result: FleetMigrateResult) {
  const failed = result.counts.failed + result.counts.locked
  return new E_MIGRATION_FAILED(
    [
      `${failed} tenant(s) failed to migrate` +
        (result.stopped_early ? `; ${result.counts.not_started} not started` : ''),
    ],
    { details: result }
  )
}
