import {
  E_AUTH_INVALID_TOKEN,
  E_AUTH_SESSION_ENDED,
  E_AUTH_TOKEN_REUSED,
  type OryneError,
} from '../errors.js'
import { opaqueToken, tokenHash } from './secrets.js'
import type { SessionMeta, Trx } from './types.js'

/** A refresh token lives 7 days; every use replaces it with a new one. */
export const REFRESH_TOKEN_TTL_MS = 7 * 86_400_000

export type RevokeReason =
  | 'logout'
  | 'reuse'
  | 'expired'
  | 'password_changed'
  | 'password_reset'
  | 'account_disabled'
  /** Set by a backup restore or a tenant clone (core/backup/credentials.ts). */
  | 'restored'

export type Rotated = { userId: string; sessionId: string; refreshToken: string }

const unknownRefreshToken = () =>
  new E_AUTH_INVALID_TOKEN([], { hint: 'Sign in again to get a new refresh token.' })

/**
 * Sign-in sessions and their refresh tokens, in the tables of one realm. A
 * session is a token family: each refresh token is used once and replaced; a
 * second use of any of them revokes the session, and with it the access
 * tokens it issued (they carry its id).
 *
 * Every method runs inside the caller's transaction. `rotate` returns its
 * refusals instead of throwing them, so that the caller commits a revocation
 * before reporting it.
 */
export class SessionStore {
  constructor(
    private tables: { sessions: string; tokens: string },
    private now: () => Date
  ) {}

  async start(trx: Trx, userId: string, meta: SessionMeta = {}) {
    const at = this.now()
    const [session] = await trx
      .insertQuery()
      .table(this.tables.sessions)
      .insert({
        user_id: userId,
        ip: meta.ip?.slice(0, 64) ?? null,
        user_agent: meta.userAgent?.slice(0, 400) ?? null,
        created_at: at,
        last_used_at: at,
      })
      .returning('id')
    const refreshToken = await this.#issue(trx, session.id, at)
    return { sessionId: session.id as string, refreshToken }
  }

  async #issue(trx: Trx, sessionId: string, at: Date) {
    const token = opaqueToken()
    await trx
      .insertQuery()
      .table(this.tables.tokens)
      .insert({
        family_id: sessionId,
        token_hash: tokenHash(token),
        expires_at: new Date(at.getTime() + REFRESH_TOKEN_TTL_MS),
        created_at: at,
      })
    return token
  }

  /**
   * Replaces a refresh token with a new one of the same family. The session
   * row is locked first, so two uses of one token cannot both succeed.
   */
  async rotate(trx: Trx, refreshToken: string): Promise<Rotated | OryneError> {
    const { sessions, tokens } = this.tables
    const { rows } = await trx.rawQuery(
      `SELECT t.id, t.family_id, t.expires_at, s.user_id, s.revoked_at
         FROM ${tokens} t JOIN ${sessions} s ON s.id = t.family_id
        WHERE t.token_hash = ?`,
      [tokenHash(refreshToken)]
    )
    const found = rows[0]
    if (!found) return unknownRefreshToken()
    await trx.rawQuery(`SELECT id FROM ${sessions} WHERE id = ? FOR UPDATE`, [found.family_id])
    // Read again under the lock: a concurrent rotation may have used it meanwhile.
    const { rows: locked } = await trx.rawQuery(
      `SELECT t.rotated_at, s.revoked_at FROM ${tokens} t JOIN ${sessions} s ON s.id = t.family_id
        WHERE t.id = ?`,
      [found.id]
    )
    const { rotated_at: rotatedAt, revoked_at: revokedAt } = locked[0]
    const at = this.now()
    if (revokedAt) return new E_AUTH_SESSION_ENDED()
    if (rotatedAt) {
      await this.revoke(trx, found.family_id, 'reuse')
      return new E_AUTH_TOKEN_REUSED()
    }
    if (new Date(found.expires_at).getTime() <= at.getTime()) {
      await this.revoke(trx, found.family_id, 'expired')
      return new E_AUTH_SESSION_ENDED()
    }
    await trx.from(tokens).where('id', found.id).update({ rotated_at: at })
    await trx.from(sessions).where('id', found.family_id).update({ last_used_at: at })
    const next = await this.#issue(trx, found.family_id, at)
    return { userId: found.user_id, sessionId: found.family_id, refreshToken: next }
  }

  /** Ends a session; its refresh tokens and access tokens stop working. */
  async revoke(trx: Trx, sessionId: string, reason: RevokeReason) {
    const updated = await trx
      .from(this.tables.sessions)
      .where('id', sessionId)
      .whereNull('revoked_at')
      .update({ revoked_at: this.now(), revoked_reason: reason })
    return Number(updated) > 0
  }

  /** Ends the session a refresh token (current or already rotated) belongs to. */
  async revokeByRefreshToken(trx: Trx, refreshToken: string, reason: RevokeReason) {
    const row = await trx
      .from(this.tables.tokens)
      .where('token_hash', tokenHash(refreshToken))
      .select('family_id')
      .first()
    return row ? this.revoke(trx, row.family_id, reason) : false
  }

  /** Ends every session of a user (password changed or reset, account disabled). */
  async revokeAllOf(trx: Trx, userId: string, reason: RevokeReason) {
    const updated = await trx
      .from(this.tables.sessions)
      .where('user_id', userId)
      .whereNull('revoked_at')
      .update({ revoked_at: this.now(), revoked_reason: reason })
    return Number(updated)
  }
}
