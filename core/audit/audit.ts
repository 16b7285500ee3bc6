import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** One audit entry: who did what to which record, and how it changed. */
export type AuditEntry = {
  /** `user:<id>`, `api_key:<id>`, `platform`, `cli:<who>`, `system`. */
  actor: string
  /** e.g. `library.books.create`, `core.users.disable`. */
  action: string
  /** The record touched, e.g. `library.books:42`. */
  subject?: string | null
  /** Free-form details; for changes `{ before, after }` (only the changed fields). */
  data?: Record<string, unknown> | null
  request_id?: string | null
}

/** Writes an audit entry in the tenant transaction of the change it describes. */
export async function recordAudit(trx: TransactionClientContract, entry: AuditEntry) {
  await trx.insertQuery().table('audit_log').insert({
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    data: entry.data ? JSON.stringify(entry.data) : null,
    request_id: entry.request_id ?? null,
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
