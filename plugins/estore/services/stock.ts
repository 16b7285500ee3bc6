import { E_ESTORE_NOT_FOUND } from '../errors.js'
import { moveStock } from './ledger.js'
import { actorOf, recordAudit, withTenantDb, type Principal } from '@oryne/sdk'

/** Staff receive goods (positive) or write off stock (negative); the ledger records it. */
export function adjustStock(
  variantId: string,
  input: { quantity: number; note?: string | null },
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const actor = actorOf(principal)
    const balance = await moveStock(trx, {
      variantId,
      quantity: input.quantity,
      reason: 'adjustment',
      note: input.note ?? null,
      actor,
    })
    await recordAudit(trx, {
      actor,
      action: 'estore.stock.adjust',
      subject: `estore.variants:${variantId}`,
      data: { quantity: input.quantity, balance, note: input.note ?? null },
      request_id: requestId,
    })
    return { variant_id: variantId, stock: balance }
  })
}

/** A variant's stock next to the sum of its ledger: the two always agree. */
export function stockBalance(variantId: string) {
  return withTenantDb(async (trx) => {
    const variant = await trx.from('estore_variants').where('id', variantId).first()
    if (!variant) throw new E_ESTORE_NOT_FOUND(['Variant', variantId])
    const ledger = await trx
      .from('estore_stock_movements')
      .where('variant_id', variantId)
      .sum('quantity as total')
      .count('* as movements')
      .first()
    return {
      variant_id: variantId,
      sku: variant.sku,
      stock: Number(variant.stock),
      ledger_total: Number(ledger?.total ?? 0),
      movements: Number(ledger?.movements ?? 0),
    }
  })
}
