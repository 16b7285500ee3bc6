import logger from '@adonisjs/core/services/logger'
import { recordAudit } from '../audit/audit.js'
import { E_AUTH_INVITE_INVALID, E_AUTH_RESET_TOKEN_INVALID } from '../errors.js'
import { tenantContext } from '../tenancy/context.js'
import { assertPasswordPolicy } from './password_policy.js'
import { hashPassword } from './passwords.js'
import { Realm } from './realm.js'
import { opaqueToken, tokenHash } from './secrets.js'
import type { TenantAccounts } from './tenant_accounts.js'
import type { SessionMeta, TokenPair, Trx } from './types.js'

/** A password reset token lives one hour. */
export const RESET_TOKEN_TTL_MS = 60 * 60_000

/** An invitation lives 7 days, as the one provisioning sends the tenant admin. */
export const INVITE_TTL_MS = 7 * 86_400_000

/** Tenant users: the shared flows, plus invitations and password resets. */
export class TenantRealm extends Realm<TenantAccounts> {
  protected override async audited(trx: Trx, userId: string, action: string) {
    await recordAudit(trx, {
      actor: `user:${userId}`,
      action,
      resource: 'core.users',
      resource_id: userId,
    })
  }

  /**
   * Accepts an invitation (the tenant admin's from provisioning, or one from
   * `oryne user create`): sets the password, activates the account and signs
   * the user in.
   */
  async acceptInvite(
    input: { token: string; password: string; name?: string },
    meta: SessionMeta = {}
  ): Promise<TokenPair> {
    const hash = tokenHash(input.token)
    const invited = await this.accounts.run(async (trx) => {
      const row = await trx
        .from('users')
        .where({ invite_token_hash: hash, status: 'invited' })
        .where('invite_expires_at', '>', this.now())
        .select('id', 'email')
        .first()
      return row as { id: string; email: string } | null
    })
    if (!invited) throw new E_AUTH_INVITE_INVALID()
    assertPasswordPolicy(input.password, { email: invited.email })
    const passwordHash = await hashPassword(input.password)
    return this.accounts.run(async (trx) => {
      const accepted = await trx
        .from('users')
        .where({ id: invited.id, invite_token_hash: hash, status: 'invited' })
        .update({
          status: 'active',
          password_hash: passwordHash,
          invite_token_hash: null,
          invite_expires_at: null,
          last_login_at: this.now(),
          updated_at: this.now(),
          ...(input.name ? { name: input.name } : {}),
        })
      // Accepted twice at once: only the first one wins.
      if (!Number(accepted)) throw new E_AUTH_INVITE_INVALID()
      const account = (await this.accounts.findById(trx, invited.id))!
      await this.audited(trx, account.id, 'core.auth.invite_accept')
      return this.startSession(trx, account, meta)
    })
  }

  /**
   * Issues a reset token to an active user and sends it with the mandatory
   * `core.password_reset` notification (GNS; without GNS, outside production,
   * the delivery is logged with its data). Returns the token, or null when
   * there is no such active user: the HTTP answer is the same either way.
   */
  async requestPasswordReset(email: string): Promise<string | null> {
    const issued = await this.accounts.run(async (trx) => {
      const account = await this.accounts.findByEmail(trx, email)
      if (account?.status !== 'active') return null
      return { userId: account.id, token: await this.issueResetToken(trx, account.id) }
    })
    if (!issued) return null
    try {
      const { notify } = await import('../notifications/notify.js')
      await notify({
        userIds: [issued.userId],
        template: 'core.password_reset',
        data: { email, token: issued.token, expires_in_minutes: RESET_TOKEN_TTL_MS / 60_000 },
        priority: 'high',
      })
    } catch (error) {
      // The token stands; the user can ask again. The answer must not tell whether the account exists.
      logger.error(
        { err: error, tenant_id: tenantContext.require().id },
        'password reset notification failed'
      )
    }
    return issued.token
  }

  /** A new reset token for the user; earlier unused ones stop working. */
  async issueResetToken(trx: Trx, userId: string) {
    const token = opaqueToken()
    await trx.from('password_resets').where('user_id', userId).whereNull('used_at').delete()
    await trx
      .insertQuery()
      .table('password_resets')
      .insert({
        user_id: userId,
        token_hash: tokenHash(token),
        expires_at: new Date(this.now().getTime() + RESET_TOKEN_TTL_MS),
        created_at: this.now(),
      })
    return token
  }

  /** Sets a new password with a reset token; every session of the account ends. */
  async confirmPasswordReset(input: { token: string; password: string }) {
    const hash = tokenHash(input.token)
    const reset = await this.accounts.run(async (trx) => {
      const row = await trx
        .from('password_resets')
        .join('users', 'users.id', 'password_resets.user_id')
        .where('password_resets.token_hash', hash)
        .whereNull('password_resets.used_at')
        .where('password_resets.expires_at', '>', this.now())
        .where('users.status', 'active')
        .select('password_resets.id', 'users.id as user_id', 'users.email')
        .first()
      return row as { id: string; user_id: string; email: string } | null
    })
    if (!reset) throw new E_AUTH_RESET_TOKEN_INVALID()
    assertPasswordPolicy(input.password, { email: reset.email })
    const passwordHash = await hashPassword(input.password)
    await this.accounts.run(async (trx) => {
      const used = await trx
        .from('password_resets')
        .where('id', reset.id)
        .whereNull('used_at')
        .update({ used_at: this.now() })
      if (!Number(used)) throw new E_AUTH_RESET_TOKEN_INVALID()
      await this.accounts.setPasswordHash(trx, reset.user_id, passwordHash)
      await this.sessions.revokeAllOf(trx, reset.user_id, 'password_reset')
      await this.audited(trx, reset.user_id, 'core.auth.password_reset')
    })
    return { email: reset.email }
  }

  /** A new invitation for an invited user; the previous one stops working. */
  async issueInvite(trx: Trx, userId: string) {
    const token = opaqueToken()
    await trx
      .from('users')
      .where('id', userId)
      .update({
        invite_token_hash: tokenHash(token),
        invite_expires_at: new Date(this.now().getTime() + INVITE_TTL_MS),
        updated_at: this.now(),
      })
    return token
  }
}
