import { recordAudit, type AuditOrigin } from '../audit/audit.js'
import { AUDIT_COLUMNS } from '../audit/audit_log.js'
import { runPrivacyHook } from '../plugins/privacy.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { clock } from './clock.js'
import { identity } from './identity.js'

/** Audit entries included in an export, newest first: enough for any real account, bounded for a runaway one. */
const AUDIT_LIMIT = 10_000

/**
 * A user's personal data across core and every enabled plugin, as one JSON
 * archive (the plugins through their privacy hooks, core/plugins/privacy.ts), and its erasure:
 * anonymised where records must stay (the audit log, plugins' records such
 * as invoices). Both are audited.
 */
export const personalData = {
  async export(userId: string, origin: AuditOrigin) {
    const tenant = tenantContext.require()
    return withTenantDb(async (trx) => {
      const account = await identity.tenantUsers.requireById(trx, userId)
      const user = await trx
        .from('users')
        .where('id', account.id)
        .select('id', 'email', 'name', 'status', 'last_login_at', 'created_at', 'updated_at')
        .first()
      const sessions = await trx
        .from('auth_sessions')
        .where('user_id', account.id)
        .orderBy('created_at', 'desc')
        .select(
          'id',
          'ip',
          'user_agent',
          'created_at',
          'last_used_at',
          'revoked_at',
          'revoked_reason'
        )
      const mfa = await trx
        .from('user_mfa')
        .where('user_id', account.id)
        .select('enabled_at')
        .first()
      const actor = `user:${account.id}`
      const apiKeys = await trx
        .from('api_keys')
        .where('created_by', actor)
        .orderBy('created_at')
        .select('id', 'name', 'prefix', 'scopes', 'created_at', 'expires_at', 'revoked_at')
      const audit = await trx
        .from('audit_log')
        .where('actor', actor)
        .orWhere((query) => query.where('resource', 'core.users').where('resource_id', account.id))
        .orderBy('id', 'desc')
        .limit(AUDIT_LIMIT)
        .select(AUDIT_COLUMNS)
      const plugins = await runPrivacyHook(trx, 'exportPersonalData', account.id)
      await recordAudit(trx, {
        ...origin,
        action: 'core.personal_data.export',
        resource: 'core.users',
        resource_id: account.id,
        data: { plugins: Object.keys(plugins) },
      })
      return {
        format: 'oryne.personal-data.v1',
        exported_at: clock.now().toISOString(),
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        user: { ...user, roles: account.roles },
        sessions,
        mfa: { enabled: Boolean(mfa?.enabled_at), enabled_at: mfa?.enabled_at ?? null },
        api_keys_created: apiKeys,
        audit: audit.map((entry) => ({ ...entry, id: String(entry.id) })),
        plugins,
      }
    })
  },

  /**
   * Anonymises the user: email `erased-<id>@invalid`, name `Erased user`,
   * disabled, no password, roles, MFA or pending tokens, every session ended
   * and stripped of its address and user agent. The row stays, so that
   * records pointing at it (audit entries, plugins' records) keep their
   * meaning. Each enabled plugin erases or anonymises its own data in the
   * same transaction: all of it happens, or none.
   */
  async erase(userId: string, origin: AuditOrigin) {
    return withTenantDb(async (trx) => {
      const account = await identity.tenantUsers.requireById(trx, userId)
      await identity.tenantUsers.assertErasable(trx, account)
      const plugins = await runPrivacyHook(trx, 'erasePersonalData', account.id)
      const at = clock.now()
      await trx
        .from('users')
        .where('id', account.id)
        .update({
          email: `erased-${account.id}@invalid`,
          name: 'Erased user',
          status: 'disabled',
          password_hash: null,
          invite_token_hash: null,
          invite_expires_at: null,
          updated_at: at,
        })
      await trx.from('user_roles').where('user_id', account.id).delete()
      await trx.from('user_mfa').where('user_id', account.id).delete()
      await trx.from('mfa_challenges').where('user_id', account.id).delete()
      await trx.from('password_resets').where('user_id', account.id).delete()
      await trx.rawQuery(
        `UPDATE auth_sessions SET ip = NULL, user_agent = NULL,
                revoked_at = coalesce(revoked_at, ?),
                revoked_reason = coalesce(revoked_reason, 'account_erased')
          WHERE user_id = ?`,
        [at, account.id]
      )
      await recordAudit(trx, {
        ...origin,
        action: 'core.personal_data.erase',
        resource: 'core.users',
        resource_id: account.id,
        data: { plugins },
      })
      return { id: account.id, erased: true, plugins }
    })
  },
}
