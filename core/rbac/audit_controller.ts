import type { HttpContext } from '@adonisjs/core/http'
import { listAudit } from '../audit/audit_log.js'
import { auditRetentionDays } from '../audit/retention.js'
import { abilities, allow } from './abilities.js'
import { auditQueryValidator } from './validators.js'
import { respond } from '../http/envelope.js'

/** GET /api/v1/admin/audit (core.audit.read): newest first, filtered, paginated. */
export default class AuditController {
  async index(ctx: HttpContext) {
    await allow(ctx, abilities.readAudit)
    const filters = await auditQueryValidator.validate(ctx.request.qs())
    const { entries, pagination } = await listAudit(filters)
    ctx.response.header('X-Audit-Retention-Days', String(auditRetentionDays()))
    respond(ctx, entries, { pagination })
  }
}
