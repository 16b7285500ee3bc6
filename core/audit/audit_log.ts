import type { Pagination } from '../http/envelope.js'
import { withTenantDb } from '../tenancy/tenant_db.js'

export type AuditFilters = {
  actor?: string
  /** An action, or a prefix ending in `*` (`core.users.*`). */
  action?: string
  resource?: string
  resource_id?: string
  from?: Date
  to?: Date
  page?: number
  per_page?: number
}

/** `LIKE` pattern of a prefix, its own wildcards escaped. */
function prefixPattern(value: string) {
  return `${value.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/** The columns an audit entry is shown with (the admin API, personal-data exports). */
export const AUDIT_COLUMNS = [
  'id',
  'actor',
  'action',
  'resource',
  'resource_id',
  'data',
  'ip',
  'user_agent',
  'request_id',
  'created_at',
]

/** The current tenant's audit entries, newest first, filtered and paginated. */
export async function listAudit(filters: AuditFilters) {
  const page = filters.page ?? 1
  const perPage = filters.per_page ?? 50
  return withTenantDb(async (trx) => {
    const query = trx.from('audit_log')
    if (filters.actor) query.where('actor', filters.actor)
    if (filters.action?.endsWith('*')) query.whereLike('action', prefixPattern(filters.action))
    else if (filters.action) query.where('action', filters.action)
    if (filters.resource) query.where('resource', filters.resource)
    if (filters.resource_id) query.where('resource_id', filters.resource_id)
    if (filters.from) query.where('created_at', '>=', filters.from)
    if (filters.to) query.where('created_at', '<=', filters.to)
    const [{ total }] = await query.clone().count('* as total')
    const rows = await query
      .orderBy('id', 'desc')
      .offset((page - 1) * perPage)
      .limit(perPage)
      .select(AUDIT_COLUMNS)
    const count = Number(total)
    const pagination: Pagination = {
      page,
      per_page: perPage,
      total: count,
      last_page: Math.max(1, Math.ceil(count / perPage)),
    }
    return { entries: rows.map((row) => ({ ...row, id: String(row.id) })), pagination }
  })
}
