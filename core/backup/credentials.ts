import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { sealedNewSecret } from '../webhooks/endpoints.js'

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** What a restore did with the credentials its archive carried (the restore's output says it). */
export type RestoredCredentials = {
  sessions_ended: number
  invites_cancelled: number
  password_resets_cancelled: number
  mfa_challenges_cancelled: number
  /** Only for a copy under a new slug: a restore in place keeps its keys and endpoints. */
  api_keys_revoked?: number
  webhook_endpoints_rekeyed?: number
}

/** Whether the archive's migrations built this table (an older archive may predate it). */
async function exists(trx: TransactionClientContract, qualified: string) {
  const { rows } = await trx.rawQuery('SELECT to_regclass(?) AS found', [qualified])
  return Boolean(rows[0].found)
}

/** Runs `sql` against `table` of the schema, when it exists; the rows it changed. */
async function update(
  trx: TransactionClientContract,
  schema: string,
  table: string,
  sql: (qualified: string) => { text: string; bindings?: unknown[] }
) {
  const qualified = `${quote(schema)}.${quote(table)}`
  if (!(await exists(trx, qualified))) return 0
  const { text, bindings = [] } = sql(qualified)
  const result = await trx.rawQuery(text, bindings as any[])
  return Number(result.rowCount ?? 0)
}

/**
 * Ends what lets a person in: every session (its refresh tokens and the
 * access tokens it issued), pending password resets and MFA challenges. The
 * archive's copy of these is stale either way: sessions ended after the backup
 * would come back to life.
 */
async function endSignIns(trx: TransactionClientContract, schema: string, at: Date) {
  const sessions = await update(trx, schema, 'auth_sessions', (t) => ({
    text: `UPDATE ${t} SET revoked_at = ?, revoked_reason = 'restored' WHERE revoked_at IS NULL`,
    bindings: [at],
  }))
  const resets = await update(trx, schema, 'password_resets', (t) => ({
    text: `UPDATE ${t} SET used_at = ? WHERE used_at IS NULL`,
    bindings: [at],
  }))
  const challenges = await update(trx, schema, 'mfa_challenges', (t) => ({
    text: `UPDATE ${t} SET used_at = ? WHERE used_at IS NULL`,
    bindings: [at],
  }))
  return { sessions, resets, challenges }
}

/**
 * A restore in place: the tenant is the same one, with the archive's state.
 * Sessions, resets and MFA challenges end (people sign in again); invites,
 * API keys and webhook secrets stay as the archive has them.
 */
export async function endRestoredSignIns(
  trx: TransactionClientContract,
  schema: string
): Promise<RestoredCredentials> {
  const ended = await endSignIns(trx, schema, new Date())
  return {
    sessions_ended: ended.sessions,
    invites_cancelled: 0,
    password_resets_cancelled: ended.resets,
    mfa_challenges_cancelled: ended.challenges,
  }
}

/**
 * A copy under a new slug (`restore --as`, `tenant clone`) is another tenant:
 * nothing issued to the original may open it. On top of the sign-ins, pending
 * invites are cancelled (`oryne user reset-password` issues new ones), API keys
 * revoked (the admin creates new ones) and every webhook endpoint gets a new
 * secret nobody knows and is disabled (rotate its secret, then enable it), so
 * that the copy neither signs as the original nor posts to its receivers unasked.
 */
export async function endCopiedCredentials(
  trx: TransactionClientContract,
  schema: string,
  source: string
): Promise<RestoredCredentials> {
  const at = new Date()
  const ended = await endSignIns(trx, schema, at)
  const invites = await update(trx, schema, 'users', (t) => ({
    text: `UPDATE ${t} SET invite_token_hash = NULL, invite_expires_at = NULL
            WHERE invite_token_hash IS NOT NULL`,
  }))
  const keys = await update(trx, schema, 'api_keys', (t) => ({
    text: `UPDATE ${t} SET revoked_at = ? WHERE revoked_at IS NULL`,
    bindings: [at],
  }))
  // Each endpoint its own secret, so the copy's endpoints do not share one either.
  let rekeyed = 0
  const endpoints = `${quote(schema)}.webhook_endpoints`
  if (await exists(trx, endpoints)) {
    const { rows } = await trx.rawQuery(`SELECT id FROM ${endpoints}`)
    for (const endpoint of rows as Array<{ id: string }>) {
      await trx.rawQuery(
        `UPDATE ${endpoints} SET secret = ?, status = 'disabled', disabled_at = ?,
           disabled_reason = ?, failing_since = NULL, updated_at = ? WHERE id = ?`,
        [
          sealedNewSecret(),
          at,
          `copied from tenant ${source}: rotate the secret, then enable the endpoint`,
          at,
          endpoint.id,
        ]
      )
      rekeyed++
    }
  }
  return {
    sessions_ended: ended.sessions,
    invites_cancelled: invites,
    password_resets_cancelled: ended.resets,
    mfa_challenges_cancelled: ended.challenges,
    api_keys_revoked: keys,
    webhook_endpoints_rekeyed: rekeyed,
  }
}

/** One line for people: what the restore did with credentials, and how to issue new ones. */
export function credentialsSummary(c: RestoredCredentials): string {
  const signIns =
    `${c.sessions_ended} sessions ended (everyone signs in again), ` +
    `${c.password_resets_cancelled} password resets and ${c.mfa_challenges_cancelled} MFA challenges cancelled`
  if (c.api_keys_revoked === undefined) return `Credentials: ${signIns}.`
  return (
    `Credentials: ${signIns}; ${c.invites_cancelled} invites cancelled (\`oryne user reset-password\` issues new ones), ` +
    `${c.api_keys_revoked} API keys revoked (create new ones), ${c.webhook_endpoints_rekeyed} webhook endpoints ` +
    'disabled with a new secret (rotate the secret, then enable them).'
  )
}
