import { randomBytes } from 'node:crypto'
import encryption from '@adonisjs/core/services/encryption'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordAudit } from '../audit/audit.js'
import { tenantCache } from '../cache/index.js'
import { tenantContext } from '../tenancy/context.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import { E_WEBHOOK_NOT_FOUND } from './errors.js'
import { acceptEndpointUrl } from './url.js'

/** A subscribed endpoint as the API shows it (never its secret, except once at creation or rotation). */
export type WebhookEndpoint = {
  id: string
  url: string
  description: string | null
  events: string[]
  status: 'enabled' | 'disabled'
  failing_since: string | null
  disabled_at: string | null
  disabled_reason: string | null
  created_by: string
  created_at: string
  updated_at: string
}

const PURPOSE = 'webhook-secret'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const COLUMNS = [
  'id',
  'url',
  'description',
  'events',
  'status',
  'failing_since',
  'disabled_at',
  'disabled_reason',
  'created_by',
  'created_at',
  'updated_at',
]

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null)

export function presentEndpoint(row: Record<string, any>): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description ?? null,
    events: row.events,
    status: row.status,
    failing_since: iso(row.failing_since),
    disabled_at: iso(row.disabled_at),
    disabled_reason: row.disabled_reason ?? null,
    created_by: row.created_by,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  }
}

/** A new signing secret: `whsec_` and 32 random bytes. */
function newSecret() {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

/** A new signing secret, sealed as `webhook_endpoints.secret` stores it (nobody sees it until rotated). */
export function sealedNewSecret() {
  return encryption.encrypt(newSecret(), undefined, PURPOSE)
}

/** The clear secret of a stored endpoint row (stored encrypted with APP_KEY). */
export function endpointSecret(row: { secret: string }): string {
  const secret = encryption.decrypt<string>(row.secret, PURPOSE)
  if (!secret) throw new Error('The webhook secret cannot be decrypted (was APP_KEY rotated?)')
  return secret
}

/**
 * The enabled endpoints of the current tenant and the events they subscribe
 * to, which every event's fan-out reads: kept in the tenant cache, so that a
 * tenant without endpoints costs no statement per event.
 */
export function enabledEndpoints(): Promise<Array<{ id: string; events: string[] }>> {
  const tenant = tenantContext.require()
  return tenantCache.get('webhook_endpoints', tenant.id, '', () =>
    readTenantDb((client, table) =>
      client.from(table('webhook_endpoints')).where('status', 'enabled').select('id', 'events')
    )
  )
}

/** Every process forgets the current tenant's endpoints (after a change is committed). */
export function endpointsChanged() {
  tenantCache.invalidate(
    { tenantId: tenantContext.require().id, kind: 'webhook_endpoints' },
    { broadcast: true }
  )
}

/** Runs a change of endpoints, then lets every process know. */
async function changing<T>(fn: (trx: TransactionClientContract) => Promise<T>): Promise<T> {
  try {
    return await withTenantDb(fn)
  } finally {
    endpointsChanged()
  }
}

async function lockedEndpoint(trx: TransactionClientContract, id: string) {
  if (!UUID.test(id)) throw new E_WEBHOOK_NOT_FOUND([id])
  const row = await trx.from('webhook_endpoints').where('id', id).forUpdate().first()
  if (!row) throw new E_WEBHOOK_NOT_FOUND([id])
  return row
}

export async function listEndpoints(): Promise<WebhookEndpoint[]> {
  const rows = await withTenantDb((trx) =>
    trx.from('webhook_endpoints').orderBy('created_at').select(COLUMNS)
  )
  return rows.map(presentEndpoint)
}

export async function findEndpoint(id: string): Promise<WebhookEndpoint> {
  if (!UUID.test(id)) throw new E_WEBHOOK_NOT_FOUND([id])
  const row = await withTenantDb((trx) =>
    trx.from('webhook_endpoints').where('id', id).select(COLUMNS).first()
  )
  if (!row) throw new E_WEBHOOK_NOT_FOUND([id])
  return presentEndpoint(row)
}

/** Subscribes an endpoint; the answer carries its secret, which is never shown again. */
export async function createEndpoint(
  input: { url: string; events: string[]; description?: string | null },
  actor: string
): Promise<WebhookEndpoint & { secret: string }> {
  const url = acceptEndpointUrl(input.url)
  const secret = newSecret()
  const row = await changing(async (trx) => {
    const [inserted] = await trx
      .insertQuery()
      .table('webhook_endpoints')
      .insert({
        url,
        description: input.description ?? null,
        events: JSON.stringify([...new Set(input.events)]),
        secret: encryption.encrypt(secret, undefined, PURPOSE),
        created_by: actor,
      })
      .returning(COLUMNS)
    await recordAudit(trx, {
      actor,
      action: 'core.webhooks.create',
      resource: 'core.webhooks',
      resource_id: inserted.id,
      data: { url, events: inserted.events },
    })
    return inserted
  })
  return { ...presentEndpoint(row), secret }
}

/** Changes an endpoint; enabling it again clears its failure record. */
export async function updateEndpoint(
  id: string,
  input: { url?: string; events?: string[]; description?: string | null; enabled?: boolean },
  actor: string
): Promise<WebhookEndpoint> {
  const url = input.url === undefined ? undefined : acceptEndpointUrl(input.url)
  const row = await changing(async (trx) => {
    const before = await lockedEndpoint(trx, id)
    const changes: Record<string, unknown> = { updated_at: new Date() }
    if (url !== undefined) changes.url = url
    if (input.events !== undefined) changes.events = JSON.stringify([...new Set(input.events)])
    if (input.description !== undefined) changes.description = input.description
    if (input.enabled === true && before.status !== 'enabled')
      Object.assign(changes, {
        status: 'enabled',
        failing_since: null,
        disabled_at: null,
        disabled_reason: null,
      })
    if (input.enabled === false && before.status !== 'disabled')
      Object.assign(changes, {
        status: 'disabled',
        disabled_at: new Date(),
        disabled_reason: `disabled by ${actor}`,
      })
    const [updated] = await trx
      .from('webhook_endpoints')
      .where('id', id)
      .update(changes)
      .returning(COLUMNS)
    await recordAudit(trx, {
      actor,
      action: 'core.webhooks.update',
      resource: 'core.webhooks',
      resource_id: id,
      data: { ...input },
    })
    return updated
  })
  return presentEndpoint(row)
}

/** A new secret for the endpoint; the old one stops signing at once. */
export async function rotateSecret(id: string, actor: string) {
  const secret = newSecret()
  const row = await changing(async (trx) => {
    await lockedEndpoint(trx, id)
    const [updated] = await trx
      .from('webhook_endpoints')
      .where('id', id)
      .update({ secret: encryption.encrypt(secret, undefined, PURPOSE), updated_at: new Date() })
      .returning(COLUMNS)
    await recordAudit(trx, {
      actor,
      action: 'core.webhooks.rotate_secret',
      resource: 'core.webhooks',
      resource_id: id,
    })
    return updated
  })
  return { ...presentEndpoint(row), secret }
}

/** Removes the endpoint with its deliveries and their attempts. */
export async function deleteEndpoint(id: string, actor: string) {
  return changing(async (trx) => {
    const row = await lockedEndpoint(trx, id)
    await trx.from('webhook_endpoints').where('id', id).delete()
    await recordAudit(trx, {
      actor,
      action: 'core.webhooks.delete',
      resource: 'core.webhooks',
      resource_id: id,
      data: { url: row.url },
    })
    return presentEndpoint(row)
  })
}
