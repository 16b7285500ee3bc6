import { createHash } from 'node:crypto'
import { E_IDEMPOTENCY_MISMATCH } from '../errors.js'
import { type Trx } from '@oryne/sdk'

export type Replayable<T> = { status: number; body: T; replayed: boolean }

function hashOf(request: unknown) {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex')
}

/**
 * Runs `work` once per (actor, scope, key), in the caller's transaction: the
 * key is claimed first, so a concurrent request with the same key waits on
 * the claim and then answers what the first one stored; a failed first
 * attempt rolls its claim back and the key can be retried. The same key with
 * a different request is refused. Without a key, `work` simply runs.
 */
export async function idempotent<T>(
  trx: Trx,
  claim: { actor: string; scope: string; key?: string | null; request: unknown },
  work: () => Promise<{ status: number; body: T }>
): Promise<Replayable<T>> {
  if (!claim.key) return { ...(await work()), replayed: false }
  const requestHash = hashOf(claim.request)
  const { rows } = await trx.rawQuery(
    `INSERT INTO estore_idempotency_keys (actor, scope, key, request_hash)
     VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING key`,
    [claim.actor, claim.scope, claim.key, requestHash]
  )
  if (!rows.length) {
    const stored = await trx
      .from('estore_idempotency_keys')
      .where({ actor: claim.actor, scope: claim.scope, key: claim.key })
      .first()
    if (stored.request_hash !== requestHash) throw new E_IDEMPOTENCY_MISMATCH([claim.key])
    return { status: Number(stored.status), body: stored.response as T, replayed: true }
  }
  const result = await work()
  await trx
    .from('estore_idempotency_keys')
    .where({ actor: claim.actor, scope: claim.scope, key: claim.key })
    .update({ status: result.status, response: JSON.stringify(result.body) })
  return { ...result, replayed: false }
}
