import db from '@adonisjs/lucid/services/db'
import type { Logger } from '@adonisjs/core/logger'
import type { JobsService } from '../jobs/jobs_service.js'
import { E_CONFIRMATION_REQUIRED, E_TENANT_INVALID_TRANSITION, E_VALIDATION } from '../errors.js'
import type { TenantMigrationSet } from './migrations/define_tenant_migration.js'
import { TenantMigrator, type MigrationMethod } from './migrations/tenant_migrator.js'
import { scopeToTenant } from './tenant_db.js'
import type { PluginHost } from '../plugins/plugin_host.js'
import { Provisioner } from './provisioning.js'
import { type TenantRegistry } from './tenant_registry.js'
import { provisionTenantJob } from './jobs.js'
import { TenantBilling, type BillingPolicy } from './billing.js'
import type { Actor, CreateTenantInput, Tenant } from './types.js'

export type { CreateTenantInput } from './types.js'

/**
 * What platform admins do with tenants, behind both the HTTP API and the CLI:
 * create (queued provisioning), lifecycle transitions, retry, delete.
 */
export class TenancyService {
  readonly provisioner: Provisioner
  readonly billing: TenantBilling
  #migrationSets: TenantMigrationSet[]
  #migrator = new TenantMigrator()

  constructor(
    readonly registry: TenantRegistry,
    private jobs: JobsService,
    logger: Logger,
    migrationSets: TenantMigrationSet[],
    private method: MigrationMethod,
    billingPolicy: BillingPolicy,
    /**
     * The plugin host once this process built it (the container's
     * `oryne.plugins`): plugin migrations and `--plugins` at creation. A
     * look-up, not a dependency, so that read-only commands never build it.
     */
    private pluginHost: () => PluginHost | undefined = () => undefined
  ) {
    this.#migrationSets = migrationSets
    this.provisioner = new Provisioner(
      registry,
      {
        plan: (plugins) => {
          const fromPlugins = plugins.length ? this.plugins.schemaPlan(plugins) : null
          return {
            sets: [...this.#migrationSets, ...(fromPlugins?.sets ?? [])],
            plugins: fromPlugins?.plugins ?? [],
          }
        },
        seedGrants: (trx, plan) => this.plugins.seedGrants(trx, plan),
        // Two, so that a second tenant created right after the first still finds one.
        spares: 2,
      },
      logger,
      (trx, tenant, names, actor) => this.plugins.enableWithin(trx, tenant, names, { actor })
    )
    this.billing = new TenantBilling(registry, billingPolicy, logger)
  }

  /** Core's migration sets: what every tenant schema gets at provisioning. */
  migrationSets() {
    return this.#migrationSets
  }

  get plugins(): PluginHost {
    const host = this.pluginHost()
    if (!host) throw new Error('The plugin host is not ready')
    return host
  }

  /** Registers the tenant and queues its provisioning; returns it in `provisioning`. */
  async create(input: CreateTenantInput, actor: Actor): Promise<Tenant> {
    const refused = (input.plugins ?? []).flatMap((name, index) => {
      const entry = this.pluginHost()?.entry(name)
      if (entry?.available) return []
      const message = entry
        ? `Plugin "${name}" is unavailable: ${entry.reasons[0]}`
        : `Unknown plugin "${name}"`
      return [{ field: `plugins.${index}`, rule: 'exists', message }]
    })
    if (refused.length) throw new E_VALIDATION([], { details: refused })
    const tenant = await this.registry.create(input, actor)
    await this.#queueProvisioning(tenant, actor)
    return tenant
  }

  async #queueProvisioning(tenant: Tenant, actor: Actor) {
    // One queued run per tenant and attempt; the pipeline itself is idempotent anyway.
    const attempt = (tenant.provisioning.attempts ?? 0) + 1
    await this.jobs.dispatch(
      provisionTenantJob,
      { tenant_id: tenant.id, actor, method: this.method },
      { jobId: `provision:${tenant.id}:${attempt}:${Date.now()}` }
    )
  }

  /**
   * Provisions right here instead of through the queue (the queued job calls
   * this too). The plugins asked for at creation are enabled by the pipeline,
   * in the transaction that makes the tenant active.
   */
  async provisionNow(tenantId: string, actor: Actor, method: MigrationMethod = this.method) {
    const result = await this.provisioner.provision(tenantId, { method, actor })
    if (result.pluginsEnabled.length) {
      await this.plugins.announceEnabled(result.tenant, result.pluginsEnabled)
    }
    return result
  }

  /**
   * Applies the pending tenant migrations of one tenant in one transaction
   * (all or nothing), under the same per-tenant lock as provisioning.
   */
  async migrateTenant(tenant: Tenant): Promise<string[]> {
    return db.transaction(async (trx) => {
      await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `oryne:provision:${tenant.id}`,
      ])
      await scopeToTenant(trx, tenant)
      const host = this.pluginHost()
      const pluginSets = host ? await host.migrationSets(tenant.id, trx) : []
      const applied = await this.#migrator.migrate(
        trx,
        [...this.#migrationSets, ...pluginSets],
        'replay'
      )
      return applied.map((migration) => `${migration.owner}/${migration.name}`)
    })
  }

  /**
   * Brings every tenant whose schema exists (active, suspended, archived) up to
   * date, one after another (`oryne up`). `oryne migrate` runs the fleet runner
   * instead (core/fleet: concurrency, fingerprints, resumable runs).
   */
  async migrateAll(): Promise<Array<{ slug: string; applied: string[] }>> {
    const rows = await db
      .from('tenants')
      .whereIn('status', ['active', 'suspended', 'archived'])
      .orderBy('created_at')
    const results = []
    for (const row of rows) {
      const tenant = await this.registry.findOrFail(row.id)
      results.push({ slug: tenant.slug, applied: await this.migrateTenant(tenant) })
    }
    return results
  }

  /** Queues provisioning again for a failed tenant, or one whose run crashed. */
  async retry(slugOrId: string, actor: Actor): Promise<Tenant> {
    const tenant = await this.registry.findOrFail(slugOrId)
    if (tenant.status !== 'failed' && tenant.status !== 'provisioning') {
      throw new E_TENANT_INVALID_TRANSITION([tenant.slug, tenant.status, 'provisioning'])
    }
    const again =
      tenant.status === 'failed'
        ? await this.registry.transition(tenant, 'provisioning', { actor, event: 'retry' })
        : tenant
    await this.#queueProvisioning(again, actor)
    return again
  }

  async suspend(slugOrId: string, actor: Actor, reason?: string) {
    const tenant = await this.registry.findOrFail(slugOrId)
    return this.registry.transition(tenant, 'suspended', { actor, reason })
  }

  async resume(slugOrId: string, actor: Actor, reason?: string) {
    const tenant = await this.registry.findOrFail(slugOrId)
    if (tenant.status !== 'suspended') {
      throw new E_TENANT_INVALID_TRANSITION([tenant.slug, tenant.status, 'active'])
    }
    return this.registry.transition(tenant, 'active', {
      actor,
      reason,
      event: 'resumed',
      extra: { billing_warned_at: null },
    })
  }

  async archive(slugOrId: string, actor: Actor, reason?: string) {
    const tenant = await this.registry.findOrFail(slugOrId)
    return this.registry.transition(tenant, 'archived', { actor, reason })
  }

  async restore(slugOrId: string, actor: Actor, reason?: string) {
    const tenant = await this.registry.findOrFail(slugOrId)
    if (tenant.status !== 'archived') {
      throw new E_TENANT_INVALID_TRANSITION([tenant.slug, tenant.status, 'active'])
    }
    return this.registry.transition(tenant, 'active', { actor, reason, event: 'restored' })
  }

  /**
   * Drops the tenant's schema and marks it deleted (the registry row and its
   * history stay; the slug is free again). Only archived tenants, and only
   * when confirmed: nothing here can be undone.
   */
  async delete(slugOrId: string, actor: Actor, options: { force: boolean; reason?: string }) {
    const tenant = await this.registry.findOrFail(slugOrId)
    if (tenant.status !== 'archived') {
      throw new E_TENANT_INVALID_TRANSITION([tenant.slug, tenant.status, 'deleted'])
    }
    if (!options.force) {
      throw new E_CONFIRMATION_REQUIRED([
        `Deleting "${tenant.slug}" drops its schema and every row in it; this cannot be undone`,
      ])
    }
    return db.transaction(async (trx) => {
      await trx.rawQuery(`DROP SCHEMA IF EXISTS "${tenant.schema_name}" CASCADE`)
      await trx.from('tenant_domains').where('tenant_id', tenant.id).delete()
      return this.registry.transition(tenant, 'deleted', { actor, reason: options.reason }, trx)
    })
  }
}
