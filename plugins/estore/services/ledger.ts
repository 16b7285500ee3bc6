import { E_ESTORE_NOT_FOUND, E_OUT_OF_STOCK } from '../errors.js'
import { emitEvent, type Trx } from '@oryne/sdk'

export type MovementReason = 'adjustment' | 'reservation' | 'release'

export type Movement = {
  variantId: string
  /** Signed change: negative takes stock out, positive puts it back. */
  quantity: number
  reason: MovementReason
  orderId?: string | null
  note?: string | null
  actor: string
}

/**
 * Moves stock of one variant and writes the ledger line, in the caller's
 * transaction. The change is one conditional UPDATE: taking out more than is
 * there matches no row (E_OUT_OF_STOCK) instead of going negative, however
 * many checkouts race for the last units. Callers moving several variants do
 * it in variant id order, so that two transactions never wait on each other
 * in opposite orders (no deadlock).
 */
export async function moveStock(trx: Trx, movement: Movement) {
  const { rows } = await trx.rawQuery(
    `UPDATE estore_variants SET stock = stock + ?, updated_at = now()
      WHERE id = ? AND stock + ? >= 0
      RETURNING id, sku, stock, low_stock_threshold`,
    [movement.quantity, movement.variantId, movement.quantity]
  )
  const variant = rows[0]
  if (!variant) {
    const exists = await trx.from('estore_variants').where('id', movement.variantId).first()
    if (!exists) throw new E_ESTORE_NOT_FOUND(['Variant', movement.variantId])
    throw new E_OUT_OF_STOCK([exists.sku, String(-movement.quantity)], {
      details: [{ variant_id: movement.variantId, sku: exists.sku, available: exists.stock }],
    })
  }
  const balance = Number(variant.stock)
  await trx
    .insertQuery()
    .table('estore_stock_movements')
    .insert({
      variant_id: movement.variantId,
      quantity: movement.quantity,
      balance,
      reason: movement.reason,
      order_id: movement.orderId ?? null,
      note: movement.note ?? null,
      actor: movement.actor,
    })
  const threshold = Number(variant.low_stock_threshold ?? 0)
  // Announced when a movement takes the stock across the threshold, not on every sale below it.
  if (movement.quantity < 0 && balance <= threshold && balance - movement.quantity > threshold) {
    await emitEvent('estore.stock.low', {
      variant_id: String(variant.id),
      sku: variant.sku,
      stock: balance,
      threshold,
    })
  }
  return balance
}
