import { existsSync } from 'node:fs'
import { basename } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import { recordAudit } from '../audit/audit.js'
import { actorOf, authorize } from '../rbac/authorize.js'
import tenancy from '../services/tenancy.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { E_BACKUP_NOT_FOUND } from '../errors.js'
import { respond } from '../http/envelope.js'

const PERMISSION = 'core.backups.manage'
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i

/** One backup of this tenant (by its id: a deleted namesake's archives are never this tenant's). */
async function backupOf(ctx: HttpContext) {
  const id = String(ctx.params.id)
  const row = UUID.test(id)
    ? await db.from('tenant_backups').where({ id, tenant_id: ctx.tenant.id }).first()
    : null
  if (!row) throw new E_BACKUP_NOT_FOUND([id])
  return row
}

function serialize(row: any) {
  return {
    id: row.id,
    reason: row.reason,
    actor: row.actor,
    size_bytes: Number(row.size_bytes),
    sha256: row.sha256,
    encrypted: row.encrypted,
    with_files: row.with_files,
    summary: row.summary,
    created_at: row.created_at,
    present: existsSync(row.path),
  }
}

/**
 * /api/v1/admin/backups: a tenant admin sees the institution's backups,
 * downloads an archive, and asks the platform for a restore (a restore replaces
 * the whole schema, so a platform admin carries it out: `oryne backup restore`).
 * The server's file paths are never shown.
 */
export default class BackupsController {
  async index(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    const rows = await db
      .from('tenant_backups')
      .where('tenant_id', ctx.tenant.id)
      .orderBy('created_at', 'desc')
    respond(ctx, rows.map(serialize))
  }

  async download(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    const row = await backupOf(ctx)
    if (!existsSync(row.path)) throw new E_BACKUP_NOT_FOUND([row.id])
    ctx.response.header('Cache-Control', 'no-store')
    ctx.response.attachment(row.path, basename(row.path))
  }

  async requestRestore(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    const row = await backupOf(ctx)
    const actor = actorOf(principal)
    await withTenantDb(async (trx) => {
      await tenancy.registry.record(trx, ctx.tenant.id, {
        event: 'backup.restore_requested',
        actor,
        data: { backup_id: row.id, backup_created_at: row.created_at },
      })
      await recordAudit(trx, {
        actor,
        action: 'core.backups.restore_request',
        resource: 'core.backups',
        resource_id: row.id,
      })
    })
    respond(ctx, { backup_id: row.id, status: 'requested' }, { status: 202 })
  }
}
