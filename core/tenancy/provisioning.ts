import { createHash, randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Logger } from '@adonisjs/core/logger'
import { failpoint } from '../utils/failpoint.js'
import { TenantMigrator, type MigrationMethod } from './migrations/tenant_migrator.js'
import { SchemaTemplates, type SchemaPlan } from './schema_templates.js'
import { scopeToTenant } from './tenant_db.js'
import type { TenantRegistry } from './tenant_registry.js'
import type { Actor, Tenant } from './types.js'

/** Roles every tenant starts with; plugins add permissions to them when enabled. */
export const BUILTIN_ROLES = ['TenantAdmin', 'Teacher', 'Student', 'Parent', 'Staff'] as const

const INVITE_TTL_DAYS = 7

/** The steps of provisioning, in order; each is also a failpoint `provision:<step>`. */
export const PROVISIONING_STEPS = [
  'create_schema',
  'migrate',
  'seed',
  'admin',
  'plugins',
  'activate',
] as const

/** What a new tenant's schema is made of, from the plugins asked for at creation. */
export type ProvisioningSchema = {
  /** Core's migrations and those of `plugins` with their dependencies, and the plugins' versions. */
  plan: (plugins: string[]) => SchemaPlan
  /** Seeds the plan's plugins' default grants into the built-in roles of the schema `trx` is scoped to. */
  seedGrants: (trx: TransactionClientContract, plan: SchemaPlan) => Promise<void>
  /** Prepared schemas kept per plan for the `template` method. */
  spares: number
}

/** Enables the plugins asked for at creation inside provisioning's transaction; returns those it enabled. */
export type EnablePlugins = (
  trx: TransactionClientContract,
  tenant: Tenant,
  names: string[],
  actor: Actor
) => Promise<string[]>

async function resetSearchPath(trx: TransactionClientContract) {
  await trx.rawQuery(`SELECT set_config('search_path', 'public', true)`)
}

/**
 * Brings a tenant from `provisioning` to `active`. Every step runs in one
 * PostgreSQL transaction (DDL included) under a per-tenant advisory lock, so a
 * crash at any point leaves nothing behind and a rerun starts clean; a rerun
 * after success finds the tenant active and does nothing. An error is
 * recorded on the tenant (`failed`, with the message) for `retry`.
 */
export class Provisioner {
  #migrator = new TenantMigrator()
  readonly templates: SchemaTemplates

  constructor(
    private registry: TenantRegistry,
    private schema: ProvisioningSchema,
    private logger: Logger,
    private enablePlugins: EnablePlugins
  ) {
    this.templates = new SchemaTemplates(
      async (trx, plan) => {
        await this.#seedRoles(trx)
        await schema.seedGrants(trx, plan)
      },
      logger,
      { spares: schema.spares, roles: BUILTIN_ROLES }
    )
  }

  /** What a new tenant asking for `plugins` starts from (the plan prepared schemas are built from). */
  schemaPlan(plugins: string[]): SchemaPlan {
    return this.schema.plan(plugins)
  }

  async provision(
    tenantId: string,
    options: { method: MigrationMethod; actor: Actor }
  ): Promise<{ tenant: Tenant; inviteToken: string | null; pluginsEnabled: string[] }> {
    const started = Date.now()
    const before = await this.registry.findOrFail(tenantId)
    if (before.status === 'active') return { tenant: before, inviteToken: null, pluginsEnabled: [] }

    let attempts = (before.provisioning.attempts ?? 0) + 1
    let step: string = PROVISIONING_STEPS[0]
    const plan = this.schemaPlan(before.provisioning.plugins ?? [])
    try {
      const result = await db.transaction(async (trx) => {
        await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [
          `oryne:provision:${tenantId}`,
        ])
        const tenant = await this.registry.findOrFail(tenantId, trx)
        if (tenant.status === 'active') return { tenant, inviteToken: null, pluginsEnabled: [] }
        attempts = (tenant.provisioning.attempts ?? 0) + 1

        step = 'create_schema'
        failpoint(`provision:${step}`)
        // A prepared schema already holds every migration, the roles and the plugins' grants.
        const prepared =
          options.method === 'template' &&
          (await this.templates.claim(trx, plan, tenant.schema_name))
        const method: MigrationMethod =
          prepared || options.method !== 'template' ? options.method : 'clone'
        await trx.rawQuery(`CREATE SCHEMA IF NOT EXISTS "${tenant.schema_name}"`)
        await scopeToTenant(trx, tenant)

        step = 'migrate'
        failpoint(`provision:${step}`)
        const applied = await this.#migrator.migrate(trx, plan.sets, method)

        step = 'seed'
        failpoint(`provision:${step}`)
        // A prepared schema has them: seeding again would still draw ids from their sequence.
        if (!prepared) await this.#seedRoles(trx)

        step = 'admin'
        failpoint(`provision:${step}`)
        const inviteToken = tenant.admin_email
          ? await this.#createAdmin(trx, tenant.admin_email)
          : null

        // Before `active`, in the same transaction: an active tenant has its plugins.
        step = 'plugins'
        failpoint(`provision:${step}`)
        await resetSearchPath(trx)
        const requested = tenant.provisioning.plugins ?? []
        const pluginsEnabled = requested.length
          ? await this.enablePlugins(trx, tenant, requested, options.actor)
          : []

        step = 'activate'
        failpoint(`provision:${step}`)
        await resetSearchPath(trx)
        const provisioning = {
          ...(tenant.provisioning.plugins ? { plugins: tenant.provisioning.plugins } : {}),
          step: 'done',
          attempts,
          method,
          migrations: prepared ? plan.sets.flatMap((set) => set.migrations).length : applied.length,
          duration_ms: Date.now() - started,
          finished_at: new Date().toISOString(),
        }
        const active = await this.registry.transition(
          tenant,
          'active',
          {
            actor: options.actor,
            event: 'provisioned',
            data: {
              method,
              migrations: provisioning.migrations,
              duration_ms: provisioning.duration_ms,
            },
            extra: { provisioning: JSON.stringify(provisioning) },
          },
          trx
        )
        return { tenant: active, inviteToken, pluginsEnabled }
      })
      failpoint('provision:after_commit')
      // The next tenant asking for the same plugins finds a prepared schema again.
      if (options.method === 'template') void this.templates.replenish(plan)
      if (result.inviteToken) {
        // Delivered by notifications once they exist; until then the platform log carries it.
        this.logger.info(
          {
            tenant_id: tenantId,
            email: result.tenant.admin_email,
            invite_token: result.inviteToken,
          },
          'tenant admin invited'
        )
      }
      return result
    } catch (error) {
      await this.#recordFailure(tenantId, step, attempts, error as Error, options.actor)
      throw error
    }
  }

  /**
   * Issues a fresh invite token to the tenant's admin (created when missing),
   * returning it; the previous token stops working.
   */
  async inviteAdmin(tenant: Tenant, email: string): Promise<string> {
    return db.transaction(async (trx) => {
      await scopeToTenant(trx, tenant)
      return this.#createAdmin(trx, email)
    })
  }

  /**
   * A fresh invite for the tenant's admin while they have not accepted one
   * (null once they have, or without an admin email): for whoever waited on a
   * provisioning that another process ran, whose token only that process saw.
   * The earlier token stops working.
   */
  async reinvitePendingAdmin(tenant: Tenant): Promise<string | null> {
    const email = tenant.admin_email
    if (!email || tenant.status !== 'active') return null
    return db.transaction(async (trx) => {
      await scopeToTenant(trx, tenant)
      const admin = await trx.from('users').where('email', email).forUpdate().first()
      if (admin?.status !== 'invited') return null
      return this.#createAdmin(trx, email)
    })
  }

  async #seedRoles(trx: TransactionClientContract) {
    const rows = BUILTIN_ROLES.map(() => '(?, true)').join(', ')
    await trx.rawQuery(
      `INSERT INTO roles (name, builtin) VALUES ${rows} ON CONFLICT (name) DO NOTHING`,
      [...BUILTIN_ROLES]
    )
  }

  async #createAdmin(trx: TransactionClientContract, email: string) {
    const token = randomBytes(24).toString('base64url')
    const expires = new Date(Date.now() + INVITE_TTL_DAYS * 86_400_000)
    const hash = createHash('sha256').update(token).digest('hex')
    const { rows } = await trx.rawQuery(
      `INSERT INTO users (email, name, status, invite_token_hash, invite_expires_at)
       VALUES (?, ?, 'invited', ?, ?)
       ON CONFLICT (email) DO UPDATE SET invite_token_hash = EXCLUDED.invite_token_hash,
         invite_expires_at = EXCLUDED.invite_expires_at
       RETURNING id`,
      [email, email.split('@')[0], hash, expires]
    )
    await trx.rawQuery(
      `INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = 'TenantAdmin'
       ON CONFLICT DO NOTHING`,
      [rows[0].id]
    )
    return token
  }

  async #recordFailure(
    tenantId: string,
    step: string,
    attempts: number,
    error: Error,
    actor: Actor
  ) {
    try {
      const tenant = await this.registry.findOrFail(tenantId)
      if (tenant.status !== 'provisioning') return
      await this.registry.transition(tenant, 'failed', {
        actor,
        reason: `${step}: ${error.message}`,
        extra: {
          provisioning: JSON.stringify({
            ...tenant.provisioning,
            step,
            attempts,
            error: error.message,
          }),
        },
      })
    } catch (recordError) {
      this.logger.error(
        { err: recordError, tenant_id: tenantId },
        'could not record provisioning failure'
      )
    }
  }
}
