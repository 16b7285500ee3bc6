import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  E_TENANT_DOMAIN_NOT_FOUND,
  E_TENANT_DOMAIN_TAKEN,
  E_TENANT_INVALID_TRANSITION,
  E_TENANT_NOT_FOUND,
  E_TENANT_SLUG_TAKEN,
} from '../errors.js'
import { PLATFORM_SCOPE, tenantCache } from '../cache/index.js'
import { canTransition, type TenantStatus } from './lifecycle.js'
import { withDefaults, type TenantSettings } from './settings.js'
import type { Actor, CreateTenantInput, Tenant, TenantHistoryEntry } from './types.js'
import { isUniqueViolation } from '../resources/unique_violation.js'

type Client = typeof db | TransactionClientContract

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The schema of a tenant, from its id: only [a-z0-9_], so it is always safe to quote. */
export function schemaNameFor(id: string) {
  return `t_${id.replaceAll('-', '').toLowerCase()}`
}

function hydrate(row: any): Tenant {
  return { ...row, settings: withDefaults(row.settings), provisioning: row.provisioning ?? {} }
}

/**
 * The platform registry of tenants (public schema). Lookups used on every
 * request are kept briefly in the tenant cache (core/cache); every change
 * forgets them here and, over the change bus, in every other Oryne process.
 */
export class TenantRegistry {
  constructor(private options: { cacheTtlMs: number } = { cacheTtlMs: 5000 }) {}

  /** Drops cached lookups (all of them: changes are rare, lookups cheap to redo). */
  invalidate() {
    tenantCache.invalidate({ kind: 'registry' })
  }

  #changed() {
    tenantCache.invalidate({ kind: 'registry' }, { broadcast: true })
  }

  #cached(key: string, load: () => Promise<Tenant | null>) {
    return tenantCache.get('registry', PLATFORM_SCOPE, key, load, this.options.cacheTtlMs)
  }

  async create(input: CreateTenantInput, actor: Actor): Promise<Tenant> {
    const id = randomUUID()
    try {
      return await db.transaction(async (trx) => {
        const [row] = await trx
          .insertQuery()
          .table('tenants')
          .insert({
            id,
            slug: input.slug,
            name: input.name,
            plan: input.plan ?? 'standard',
            schema_name: schemaNameFor(id),
            settings: JSON.stringify(withDefaults(input.settings)),
            admin_email: input.adminEmail ?? null,
            provisioning: JSON.stringify(input.plugins?.length ? { plugins: input.plugins } : {}),
          })
          .returning('*')
        await this.record(trx, id, { event: 'created', to: 'provisioning', actor })
        return hydrate(row)
      })
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'tenants_slug_live') {
        throw new E_TENANT_SLUG_TAKEN([input.slug])
      }
      throw error
    } finally {
      this.#changed()
    }
  }

  /** Finds a tenant by slug or id, deleted ones excluded. */
  async find(slugOrId: string, client: Client = db): Promise<Tenant | null> {
    const query = client.from('tenants').whereNot('status', 'deleted')
    const row = await (
      UUID.test(slugOrId)
        ? query.where('id', slugOrId)
        : query.where('slug', slugOrId.toLowerCase())
    ).first()
    return row ? hydrate(row) : null
  }

  async findOrFail(slugOrId: string, client: Client = db): Promise<Tenant> {
    const tenant = await this.find(slugOrId, client)
    if (!tenant) throw new E_TENANT_NOT_FOUND([slugOrId])
    return tenant
  }

  /** Cached lookups for request resolution. */
  findCached(slugOrId: string) {
    return this.#cached(`key:${slugOrId}`, () => this.find(slugOrId))
  }

  findByDomainCached(domain: string) {
    return this.#cached(`domain:${domain}`, async () => {
      const row = await db
        .from('tenant_domains')
        .join('tenants', 'tenants.id', 'tenant_domains.tenant_id')
        .where('tenant_domains.domain', domain.toLowerCase())
        .whereNot('tenants.status', 'deleted')
        .select('tenants.*')
        .first()
      return row ? hydrate(row) : null
    })
  }

  async list(
    options: { status?: TenantStatus; page?: number; perPage?: number; newestFirst?: boolean } = {}
  ) {
    const page = options.page ?? 1
    const perPage = options.perPage ?? 50
    const direction = options.newestFirst ? 'desc' : 'asc'
    const query = db.from('tenants').orderBy('created_at', direction).orderBy('slug', direction)
    if (options.status) query.where('status', options.status)
    else query.whereNot('status', 'deleted')
    const result = await query.paginate(page, perPage)
    return {
      tenants: result.all().map(hydrate),
      pagination: { page, per_page: perPage, total: result.total, last_page: result.lastPage },
    }
  }

  async update(
    tenant: Tenant,
    changes: {
      name?: string
      plan?: string
      settings?: Partial<TenantSettings>
      paid_until?: Date | null
    },
    actor: Actor
  ): Promise<Tenant> {
    const values: Record<string, unknown> = { updated_at: new Date() }
    if (changes.name !== undefined) values.name = changes.name
    if (changes.plan !== undefined) values.plan = changes.plan
    if (changes.paid_until !== undefined) values.paid_until = changes.paid_until
    if (changes.settings)
      values.settings = JSON.stringify({ ...tenant.settings, ...changes.settings })
    const updated = await db.transaction(async (trx) => {
      const [row] = await trx.from('tenants').where('id', tenant.id).update(values).returning('*')
      await this.record(trx, tenant.id, {
        event: 'updated',
        actor,
        data: Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
      })
      return hydrate(row)
    })
    this.#changed()
    return updated
  }

  /**
   * Moves a tenant to `to`, refusing transitions the lifecycle does not allow.
   * The update is conditional on the status read, so two concurrent
   * transitions cannot both win.
   */
  async transition(
    tenant: Tenant,
    to: TenantStatus,
    details: {
      actor: Actor
      reason?: string | null
      event?: string
      data?: unknown
      extra?: Record<string, unknown>
    },
    client?: TransactionClientContract
  ): Promise<Tenant> {
    if (!canTransition(tenant.status, to)) {
      throw new E_TENANT_INVALID_TRANSITION([tenant.slug, tenant.status, to])
    }
    const run = async (trx: TransactionClientContract) => {
      const [row] = await trx
        .from('tenants')
        .where({ id: tenant.id, status: tenant.status })
        .update({ status: to, updated_at: new Date(), ...details.extra })
        .returning('*')
      if (!row) {
        const current = await this.findOrFail(tenant.id, trx)
        throw new E_TENANT_INVALID_TRANSITION([tenant.slug, current.status, to])
      }
      await this.record(trx, tenant.id, {
        event: details.event ?? to,
        from: tenant.status,
        to,
        actor: details.actor,
        reason: details.reason,
        data: details.data,
      })
      return hydrate(row)
    }
    const result = client ? await run(client) : await db.transaction(run)
    this.#changed()
    return result
  }

  async record(
    client: Client,
    tenantId: string,
    entry: {
      event: string
      from?: string
      to?: string
      actor: Actor
      reason?: string | null
      data?: unknown
    }
  ) {
    await client
      .insertQuery()
      .table('tenant_history')
      .insert({
        tenant_id: tenantId,
        event: entry.event,
        from_status: entry.from ?? null,
        to_status: entry.to ?? null,
        actor: entry.actor,
        reason: entry.reason ?? null,
        data: entry.data === undefined ? null : JSON.stringify(entry.data),
      })
  }

  async history(tenantId: string): Promise<TenantHistoryEntry[]> {
    return db.from('tenant_history').where('tenant_id', tenantId).orderBy('id', 'asc')
  }

  async domains(tenantId: string): Promise<string[]> {
    const rows = await db.from('tenant_domains').where('tenant_id', tenantId).orderBy('domain')
    return rows.map((row) => row.domain)
  }

  async addDomain(tenant: Tenant, domain: string, actor: Actor) {
    const normalized = domain.toLowerCase()
    try {
      await db.transaction(async (trx) => {
        await trx
          .insertQuery()
          .table('tenant_domains')
          .insert({ tenant_id: tenant.id, domain: normalized })
        await this.record(trx, tenant.id, {
          event: 'domain.added',
          actor,
          data: { domain: normalized },
        })
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw new E_TENANT_DOMAIN_TAKEN([normalized])
      throw error
    }
    this.#changed()
  }

  async removeDomain(tenant: Tenant, domain: string, actor: Actor) {
    const normalized = domain.toLowerCase()
    await db.transaction(async (trx) => {
      const removed = await trx
        .from('tenant_domains')
        .where({ tenant_id: tenant.id, domain: normalized })
        .delete()
      if (!Number(removed)) throw new E_TENANT_DOMAIN_NOT_FOUND([tenant.slug, normalized])
      await this.record(trx, tenant.id, {
        event: 'domain.removed',
        actor,
        data: { domain: normalized },
      })
    })
    this.#changed()
  }
}
