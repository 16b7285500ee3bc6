import { type Trx } from '@oryne/sdk'

/**
 * The next number of a per-tenant sequence, in the caller's transaction. The
 * counter row stays locked until the transaction ends, so numbers are gapless:
 * a rolled-back payment gives its number back. (A PostgreSQL sequence would
 * leave holes.)
 */
export async function nextNumber(trx: Trx, name: string): Promise<number> {
  const { rows } = await trx.rawQuery(
    `INSERT INTO estore_counters (name, value) VALUES (?, 1)
     ON CONFLICT (name) DO UPDATE SET value = estore_counters.value + 1
     RETURNING value`,
    [name]
  )
  return Number(rows[0].value)
}

/** A receipt number of the tenant: RCPT-000001, RCPT-000002, ... */
export async function nextReceiptNo(trx: Trx) {
  return `RCPT-${String(await nextNumber(trx, 'receipt')).padStart(6, '0')}`
}
