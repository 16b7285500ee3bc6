import { randomBytes } from 'node:crypto'
import encryption from '@adonisjs/core/services/encryption'
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib'
import {
  E_AUTH_MFA_CHALLENGE_INVALID,
  E_AUTH_MFA_INVALID,
  E_MFA_ALREADY_ENABLED,
  E_MFA_NOT_ENABLED,
  type OryneError,
} from '../errors.js'
import { opaqueToken, tokenHash } from './secrets.js'
import type { AccountStore, Trx } from './types.js'

/** The second sign-in step must be completed within 5 minutes ... */
export const MFA_CHALLENGE_TTL_MS = 5 * 60_000
/** ... and with at most 5 wrong codes. */
export const MFA_MAX_ATTEMPTS = 5
const RECOVERY_CODE_COUNT = 10
/** One 30-second step either side: authenticator clocks drift. */
const TOLERANCE_SECONDS = 30
const PURPOSE = 'oryne.mfa'

export type MfaChallenge = { mfa_required: true; mfa_token: string; expires_in: number }

type MfaRow = {
  user_id: string
  secret: string
  enabled_at: Date | null
  last_time_step: string | null
  recovery_codes: string[]
}

type Audit = (trx: Trx, userId: string, action: string) => Promise<void>

/** `abcde-12345`: easy to read out and type. */
function newRecoveryCode() {
  const hex = randomBytes(5).toString('hex')
  return `${hex.slice(0, 5)}-${hex.slice(5)}`
}

const normalise = (code: string) => code.trim().toLowerCase().replaceAll(/[\s-]/g, '')

/**
 * TOTP (RFC 6238, otplib) second factor of one realm's users: enrolment (a
 * secret, kept encrypted with APP_KEY, and its otpauth:// URL), confirmation
 * with a first code (which turns it on and returns 10 one-time recovery
 * codes, kept as SHA-256 digests), verification with replay protection (a
 * code, once accepted, is refused for the rest of its time step), the
 * sign-in challenge of the second step, and disabling.
 */
export class Mfa {
  constructor(
    private store: AccountStore,
    private now: () => Date,
    private audit: Audit = async () => {}
  ) {}

  get #tables() {
    return this.store.tables
  }

  async #row(trx: Trx, userId: string, lock = false): Promise<MfaRow | null> {
    const query = trx.from(this.#tables.mfa).where('user_id', userId)
    if (lock) query.forUpdate()
    return (await query.first()) ?? null
  }

  async enabled(trx: Trx, userId: string) {
    const row = await this.#row(trx, userId)
    return Boolean(row?.enabled_at)
  }

  async status(userId: string) {
    const row = await this.store.run((trx) => this.#row(trx, userId))
    return {
      enabled: Boolean(row?.enabled_at),
      enabled_at: row?.enabled_at ?? null,
      recovery_codes_left: row?.enabled_at ? row.recovery_codes.length : 0,
    }
  }

  /** A new secret for the user's authenticator; MFA is on only once confirmed with a code. */
  async enroll(user: { id: string; email: string }, issuer: string) {
    const secret = generateSecret()
    await this.store.run(async (trx) => {
      const row = await this.#row(trx, user.id, true)
      if (row?.enabled_at) throw new E_MFA_ALREADY_ENABLED()
      const values = {
        secret: encryption.encrypt(secret, undefined, PURPOSE),
        enabled_at: null,
        last_time_step: null,
        recovery_codes: JSON.stringify([]),
        updated_at: this.now(),
      }
      if (row) await trx.from(this.#tables.mfa).where('user_id', user.id).update(values)
      else
        await trx
          .insertQuery()
          .table(this.#tables.mfa)
          .insert({ user_id: user.id, ...values })
    })
    return {
      secret,
      otpauth_url: generateURI({ issuer, label: user.email, secret }),
    }
  }

  /** Turns MFA on with a first code from the authenticator; returns the recovery codes (shown once). */
  async confirm(userId: string, code: string) {
    const outcome = await this.store.run(async (trx) => {
      const row = await this.#row(trx, userId, true)
      if (!row) return new E_MFA_NOT_ENABLED()
      if (row.enabled_at) return new E_MFA_ALREADY_ENABLED()
      const step = await this.#totpStep(row, code)
      if (step === null) return new E_AUTH_MFA_INVALID()
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
      await trx
        .from(this.#tables.mfa)
        .where('user_id', userId)
        .update({
          enabled_at: this.now(),
          last_time_step: step,
          recovery_codes: JSON.stringify(codes.map((c) => tokenHash(normalise(c)))),
          updated_at: this.now(),
        })
      await this.audit(trx, userId, 'enable')
      return { recovery_codes: codes }
    })
    if (outcome instanceof Error) throw outcome
    return outcome
  }

  /** Replaces the recovery codes, given a valid code. */
  async renewRecoveryCodes(userId: string, code: string) {
    return this.#withValidCode(userId, code, async (trx) => {
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
      await trx
        .from(this.#tables.mfa)
        .where('user_id', userId)
        .update({
          recovery_codes: JSON.stringify(codes.map((c) => tokenHash(normalise(c)))),
          updated_at: this.now(),
        })
      await this.audit(trx, userId, 'recovery_codes')
      return { recovery_codes: codes }
    })
  }

  /** Turns MFA off, given a valid code (so that a stolen access token alone cannot). */
  async disable(userId: string, code: string) {
    return this.#withValidCode(userId, code, async (trx) => {
      await trx.from(this.#tables.mfa).where('user_id', userId).delete()
      await this.audit(trx, userId, 'disable')
      return { enabled: false }
    })
  }

  async #withValidCode<T>(userId: string, code: string, fn: (trx: Trx) => Promise<T>) {
    const outcome = await this.store.run(async (trx) => {
      const row = await this.#row(trx, userId, true)
      if (!row?.enabled_at) return new E_MFA_NOT_ENABLED()
      if (!(await this.#consume(trx, row, code))) return new E_AUTH_MFA_INVALID()
      return fn(trx)
    })
    if (outcome instanceof Error) throw outcome
    return outcome
  }

  /** The time step a TOTP code matches, or null; steps already used are refused. */
  async #totpStep(row: MfaRow, code: string): Promise<number | null> {
    if (!/^\d{6}$/.test(code.trim())) return null
    const secret = encryption.decrypt<string>(row.secret, PURPOSE)
    if (!secret) return null
    const result = await verifyTotp({
      secret,
      token: code.trim(),
      epoch: Math.floor(this.now().getTime() / 1000),
      epochTolerance: TOLERANCE_SECONDS,
      ...(row.last_time_step === null ? {} : { afterTimeStep: Number(row.last_time_step) }),
    })
    return result.valid ? (result as { timeStep: number }).timeStep : null
  }

  /**
   * Checks a TOTP code or a recovery code of an enabled user and uses it up
   * (the row is locked by the caller): the code's time step, or the recovery code.
   */
  async #consume(trx: Trx, row: MfaRow, code: string): Promise<boolean> {
    const step = await this.#totpStep(row, code)
    if (step !== null) {
      await trx
        .from(this.#tables.mfa)
        .where('user_id', row.user_id)
        .update({ last_time_step: step, updated_at: this.now() })
      return true
    }
    const hash = tokenHash(normalise(code))
    if (!row.recovery_codes.includes(hash)) return false
    await trx
      .from(this.#tables.mfa)
      .where('user_id', row.user_id)
      .update({
        recovery_codes: JSON.stringify(row.recovery_codes.filter((h) => h !== hash)),
        updated_at: this.now(),
      })
    await this.audit(trx, row.user_id, 'recovery_code_used')
    return true
  }

  /** Verifies and uses up a code of a user who has MFA on. */
  async verify(trx: Trx, userId: string, code: string) {
    const row = await this.#row(trx, userId, true)
    if (!row?.enabled_at) return false
    return this.#consume(trx, row, code)
  }

  /** Starts the second sign-in step: an opaque token naming the user, valid 5 minutes. */
  async challenge(trx: Trx, userId: string): Promise<MfaChallenge> {
    const token = opaqueToken()
    await trx
      .insertQuery()
      .table(this.#tables.mfaChallenges)
      .insert({
        user_id: userId,
        token_hash: tokenHash(token),
        expires_at: new Date(this.now().getTime() + MFA_CHALLENGE_TTL_MS),
        created_at: this.now(),
      })
    return { mfa_required: true, mfa_token: token, expires_in: MFA_CHALLENGE_TTL_MS / 1000 }
  }

  /**
   * Completes a challenge with a code: the user id, or the refusal to report
   * after the transaction commits (a wrong code counts against the challenge).
   */
  async complete(trx: Trx, token: string, code: string): Promise<string | OryneError> {
    const challenge = await trx
      .from(this.#tables.mfaChallenges)
      .where('token_hash', tokenHash(token))
      .forUpdate()
      .first()
    if (
      !challenge ||
      challenge.used_at ||
      challenge.attempts >= MFA_MAX_ATTEMPTS ||
      new Date(challenge.expires_at).getTime() <= this.now().getTime()
    ) {
      return new E_AUTH_MFA_CHALLENGE_INVALID()
    }
    if (!(await this.verify(trx, challenge.user_id, code))) {
      await trx
        .from(this.#tables.mfaChallenges)
        .where('id', challenge.id)
        .update({ attempts: challenge.attempts + 1 })
      return new E_AUTH_MFA_INVALID()
    }
    await trx
      .from(this.#tables.mfaChallenges)
      .where('id', challenge.id)
      .update({ used_at: this.now() })
    return challenge.user_id as string
  }
}
