import { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** One audit entry: who did what to which record, and how it changed. */
export type AuditEntry = {
  /** `user:<id>`, `api_key:<id>`, `platform`, `platform_user:<id>`, `cli:<who>`, `system`. */
  actor: string
  /** e.g. `library.books.create`, `core.users.disable`. */
  action: string
  /** The record touched, e.g. `library.books:42` (kept for compatibility; `resource` and `resource_id` say the same). */
  subject?: string | null
  /** The kind of record touched, e.g. `library.books`, `core.users`. */
  resource?: string | null
  /** Its id. */
  resource_id?: string | number | null
  /** Free-form details; for changes `{ before, after }` (only the changed fields). */
  data?: Record<string, unknown> | null
  /** Taken from the current HTTP request when not given. */
  request_id?: string | null
  ip?: string | null
  user_agent?: string | null
}

/** Where a change came from, as the HTTP layer or the CLI knows it. */
export type AuditOrigin = Pick<AuditEntry, 'actor' | 'request_id' | 'ip' | 'user_agent'>

/** The request of the current async context (AdonisJS keeps it in AsyncLocalStorage), if any. */
function currentRequest() {
  try {
    return HttpContext.get()?.request ?? null
  } catch {
    return null
  }
}

/**
 * `resource`/`resource_id` from `subject` (`<resource>:<id>`) and the other
 * way round, so that callers may give either and filters find both.
 */
function target(entry: AuditEntry) {
  let resource = entry.resource ?? null
  let id =
    entry.resource_id === undefined || entry.resource_id === null ? null : String(entry.resource_id)
  if (!resource && entry.subject) {
    const at = entry.subject.lastIndexOf(':')
    resource = at > 0 ? entry.subject.slice(0, at) : entry.subject
    id ??= at > 0 ? entry.subject.slice(at + 1) : null
  }
  const subject = entry.subject ?? (resource ? (id ? `${resource}:${id}` : resource) : null)
  return { subject, resource, id }
}

/**
 * Writes an audit entry in the tenant transaction of the change it describes.
 * Inside an HTTP request, the request id, client ip and user agent are filled
 * in when the entry does not carry them.
 */
export async function recordAudit(trx: TransactionClientContract, entry: AuditEntry) {
  const request = currentRequest()
  const { subject, resource, id } = target(entry)
  await trx
    .insertQuery()
    .table('audit_log')
    .insert({
      actor: entry.actor.slice(0, 200),
      action: entry.action.slice(0, 100),
      subject: subject?.slice(0, 200) ?? null,
      resource: resource?.slice(0, 120) ?? null,
      resource_id: id?.slice(0, 120) ?? null,
      data: entry.data ? JSON.stringify(entry.data) : null,
      request_id: entry.request_id ?? request?.id() ?? null,
      ip: (entry.ip ?? request?.ip() ?? null)?.slice(0, 64) ?? null,
      user_agent:
        (entry.user_agent ?? request?.header('user-agent') ?? null)?.slice(0, 400) ?? null,
    })
}

/** Only the fields that changed between two versions of a record. */
export function diffRecords(before: Record<string, unknown>, after: Record<string, unknown>) {
  const changed: { before: Record<string, unknown>; after: Record<string, unknown> } = {
    before: {},
    after: {},
  }
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changed.before[key] = before[key]
      changed.after[key] = after[key]
    }
  }
  return changed
}
