import { type Trx } from '@oryne/sdk'

/**
 * Sequential numbers per tenant without gaps (receipts, invoices, enrolments):
 * the counter row is updated inside the caller's transaction, so concurrent
 * callers queue on its row lock and a rolled-back transaction gives its number
 * back. `take` numbers at once are reserved as one contiguous range.
 */
export async function nextNumbers(trx: Trx, counter: string, take = 1): Promise<number[]> {
  const { rows } = await trx.rawQuery(
    `INSERT INTO erp_counters (name, value) VALUES (?, ?)
     ON CONFLICT (name) DO UPDATE SET value = erp_counters.value + EXCLUDED.value
     RETURNING value`,
    [counter, take]
  )
  const last = Number(rows[0].value)
  return Array.from({ length: take }, (_, i) => last - take + 1 + i)
}

/** `RCT-000042` */
export function formatNumber(prefix: string, value: number, width = 6) {
  return `${prefix}-${String(value).padStart(width, '0')}`
}
