import { randomBytes } from 'node:crypto'
import { recordAudit, type AuditOrigin } from '../audit/audit.js'
import {
  E_API_KEY_NOT_FOUND,
  E_AUTH_API_KEY_EXPIRED,
  E_AUTH_API_KEY_REVOKED,
  E_AUTH_INVALID_TOKEN,
  E_VALIDATION,
} from '../errors.js'
import { unknownPermissionDetails } from '../rbac/permissions.js'
import { readTenantDb, withTenantDb } from '../tenancy/tenant_db.js'
import { clock } from './clock.js'
import { tokenHash } from './secrets.js'

/** Partner API keys start with this, which tells them from JWTs and the platform token. */
export const API_KEY_PREFIX = 'oryne_'

/** last_used_at is written at most this often per key, so that busy keys cost no write per request. */
const TOUCH_EVERY_MS = 60_000

/** Characters of a key shown in lists, so that people can tell keys apart. */
const SHOWN_PREFIX = API_KEY_PREFIX.length + 8

export type NewApiKey = {
  name: string
  scopes: string[]
  expires_at?: Date | null
  rate_limit_per_hour?: number | null
}

type ApiKeyRow = {
  id: string
  name: string
  prefix: string
  scopes: string[]
  rate_limit_per_hour: number | null
  expires_at: Date | null
  last_used_at: Date | null
  revoked_at: Date | null
  created_by: string
  created_at: Date
}

const COLUMNS = [
  'id',
  'name',
  'prefix',
  'scopes',
  'rate_limit_per_hour',
  'expires_at',
  'last_used_at',
  'revoked_at',
  'created_by',
  'created_at',
]

function present(row: ApiKeyRow) {
  const now = clock.now().getTime()
  const status = row.revoked_at
    ? 'revoked'
    : row.expires_at && new Date(row.expires_at).getTime() <= now
      ? 'expired'
      : 'active'
  return { ...row, status }
}

/**
 * Partner access: per-tenant API keys limited to chosen permissions (scopes).
 * The key is shown once, at creation; only its SHA-256 digest and a short
 * prefix are kept. Keys expire, can be revoked, and note when they were last
 * used (at most once a minute).
 */
export const apiKeys = {
  async create(input: NewApiKey, origin: AuditOrigin) {
    const scopes = [...new Set(input.scopes)].sort()
    const details = await unknownPermissionDetails('scopes', scopes)
    if (details.length) throw new E_VALIDATION([], { details })
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
    return withTenantDb(async (trx) => {
      const [row] = await trx
        .insertQuery()
        .table('api_keys')
        .insert({
          name: input.name,
          prefix: key.slice(0, SHOWN_PREFIX),
          key_hash: tokenHash(key),
          scopes: JSON.stringify(scopes),
          rate_limit_per_hour: input.rate_limit_per_hour ?? null,
          expires_at: input.expires_at ?? null,
          created_by: origin.actor,
          created_at: clock.now(),
        })
        .returning(COLUMNS)
      await recordAudit(trx, {
        ...origin,
        action: 'core.api_keys.create',
        resource: 'core.api_keys',
        resource_id: row.id,
        data: {
          after: {
            name: row.name,
            prefix: row.prefix,
            scopes,
            expires_at: row.expires_at,
            rate_limit_per_hour: row.rate_limit_per_hour,
          },
        },
      })
      return { key, api_key: present(row) }
    })
  },

  async list() {
    const rows = await withTenantDb((trx) =>
      trx.from('api_keys').orderBy('created_at', 'desc').select(COLUMNS)
    )
    return (rows as ApiKeyRow[]).map(present)
  },

  async get(id: string) {
    const row: ApiKeyRow | null = isUuid(id)
      ? await withTenantDb((trx) => trx.from('api_keys').where('id', id).select(COLUMNS).first())
      : null
    if (!row) throw new E_API_KEY_NOT_FOUND([id])
    return present(row)
  },

  /** Revokes a key at once; revoking it again changes nothing. */
  async revoke(id: string, origin: AuditOrigin) {
    return withTenantDb(async (trx) => {
      const row: ApiKeyRow | null = isUuid(id)
        ? await trx.from('api_keys').where('id', id).forUpdate().select(COLUMNS).first()
        : null
      if (!row) throw new E_API_KEY_NOT_FOUND([id])
      if (row.revoked_at) return present(row)
      const [revoked] = await trx
        .from('api_keys')
        .where('id', id)
        .update({ revoked_at: clock.now() })
        .returning(COLUMNS)
      await recordAudit(trx, {
        ...origin,
        action: 'core.api_keys.revoke',
        resource: 'core.api_keys',
        resource_id: id,
        data: { name: row.name, prefix: row.prefix },
      })
      return present(revoked)
    })
  },

  /**
   * The key of the current tenant a request presents. Unknown keys (and keys
   * of other tenants) are ERR_AUTH_INVALID_TOKEN; expired and revoked ones
   * say so.
   */
  async authenticate(key: string) {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) throw new E_AUTH_INVALID_TOKEN()
    const hash = tokenHash(key)
    const row: ApiKeyRow | null = await readTenantDb((client, table) =>
      client.from(table('api_keys')).where('key_hash', hash).select(COLUMNS).first()
    )
    if (!row) throw new E_AUTH_INVALID_TOKEN()
    if (row.revoked_at) throw new E_AUTH_API_KEY_REVOKED()
    const now = clock.now()
    if (row.expires_at && new Date(row.expires_at).getTime() <= now.getTime()) {
      throw new E_AUTH_API_KEY_EXPIRED()
    }
    if (
      !row.last_used_at ||
      now.getTime() - new Date(row.last_used_at).getTime() >= TOUCH_EVERY_MS
    ) {
      await readTenantDb((client, table) =>
        client.from(table('api_keys')).where('id', row.id).update({ last_used_at: now })
      )
    }
    return row
  },
}

function isUuid(value: string) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
}
