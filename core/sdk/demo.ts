import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * A small deterministic random generator (a linear congruential one): demo
 * seeds use it so that two demo tenants look alike and tests can count on them.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * Inserts rows into a table of the open transaction in chunks of 1,000 (under
 * PostgreSQL's bind-parameter limit) and returns them as stored.
 */
export async function insertRows(
  trx: TransactionClientContract,
  table: string,
  rows: Record<string, unknown>[]
): Promise<Record<string, any>[]> {
  const stored: Record<string, any>[] = []
  for (let start = 0; start < rows.length; start += 1000) {
    stored.push(
      ...(await trx
        .insertQuery()
        .table(table)
        .multiInsert(rows.slice(start, start + 1000))
        .returning('*'))
    )
  }
  return stored
}
