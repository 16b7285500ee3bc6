import { E_NOTIFICATION_NOT_FOUND } from '../errors.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { publishUnreadAfterCommit } from './stream.js'

/*
 * The in-app channel: notifications stored in the tenant's schema, read by
 * their user only.
 */

const COLUMNS = ['id', 'template', 'subject', 'body', 'data', 'priority', 'read_at', 'created_at']

function present(row: Record<string, any>) {
  return {
    ...row,
    read_at: row.read_at ? new Date(row.read_at).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
  }
}

/** A user's notifications, newest first. */
export async function listNotifications(
  userId: string,
  options: { page: number; perPage: number; unread: boolean }
) {
  return withTenantDb(async (trx) => {
    const query = trx.from('notifications').where('user_id', userId)
    if (options.unread) query.whereNull('read_at')
    const [{ total }] = await query.clone().count('* as total')
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .offset((options.page - 1) * options.perPage)
      .limit(options.perPage)
      .select(COLUMNS)
    const count = Number(total)
    return {
      data: rows.map(present),
      pagination: {
        page: options.page,
        per_page: options.perPage,
        total: count,
        last_page: Math.max(1, Math.ceil(count / options.perPage)),
      },
    }
  })
}

export async function unreadCount(userId: string) {
  const [{ count }] = await withTenantDb((trx) =>
    trx.from('notifications').where('user_id', userId).whereNull('read_at').count('* as count')
  )
  return Number(count)
}

/** Marks one of the user's notifications read (reading again keeps the first time). */
export async function markRead(userId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new E_NOTIFICATION_NOT_FOUND([id])
  const { row, changed } = await withTenantDb(async (trx) => {
    const found = await trx.from('notifications').where({ id, user_id: userId }).first()
    if (!found) throw new E_NOTIFICATION_NOT_FOUND([id])
    if (found.read_at) return { row: found, changed: false }
    const [updated] = await trx
      .from('notifications')
      .where({ id })
      .update({ read_at: new Date() })
      .returning(COLUMNS)
    return { row: updated, changed: true }
  })
  // The user's other open streams (tabs, devices) show the new count.
  if (changed) await publishUnreadAfterCommit(userId)
  return present(row)
}

/** Marks every unread notification of the user read; returns how many changed. */
export async function markAllRead(userId: string) {
  const changed = await withTenantDb((trx) =>
    trx
      .from('notifications')
      .where('user_id', userId)
      .whereNull('read_at')
      .update({ read_at: new Date() })
      .returning('id')
  )
  if (changed.length) await publishUnreadAfterCommit(userId)
  return changed.length
}
