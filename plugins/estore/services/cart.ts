import { E_ESTORE_NOT_FOUND, E_NOT_AVAILABLE } from '../errors.js'
import { isCustomer, shopperOf } from './access.js'
import { withTenantDb, type Principal, type Trx } from '@oryne/sdk'

/** The most units of one variant a cart may hold. */
export const MAX_QUANTITY = 1000

/** The lines of a user's cart with their current prices; `lock` holds them for a checkout. */
export async function cartLines(trx: Trx, userId: string, lock = false) {
  const query = trx
    .from('estore_cart_items as c')
    .join('estore_variants as v', 'v.id', 'c.variant_id')
    .join('estore_products as p', 'p.id', 'v.product_id')
    .where('c.user_id', userId)
    .orderBy('c.variant_id')
    .select(
      'c.id',
      'c.variant_id',
      'c.quantity',
      'v.sku',
      'v.size',
      'v.colour',
      'v.price',
      'v.stock',
      'v.active',
      'p.id as product_id',
      'p.name',
      'p.tax_rate_bp',
      'p.status as product_status'
    )
  return lock ? query.forUpdate('c') : query
}

/** Tax of a line: the product's rate on the net amount, rounded half up to the minor unit. */
export function taxOf(net: number, rateBp: number) {
  return Math.floor((net * rateBp + 5_000) / 10_000)
}

/** The cart with line and grand totals. */
export async function cartView(trx: Trx, userId: string) {
  const rows = await cartLines(trx, userId)
  const lines = rows.map((line) => {
    const net = Number(line.price) * Number(line.quantity)
    const tax = taxOf(net, Number(line.tax_rate_bp))
    return { ...line, net, tax, total: net + tax }
  })
  const sum = (key: 'net' | 'tax' | 'total') => lines.reduce((acc, line) => acc + line[key], 0)
  return { items: lines, subtotal: sum('net'), tax: sum('tax'), total: sum('total') }
}

/** Whether the variant is for sale to the principal (active, and offered to customers). */
export async function assertOffered(trx: Trx, principal: Principal, variantIds: string[]) {
  const query = trx
    .from('estore_variants as v')
    .join('estore_products as p', 'p.id', 'v.product_id')
    .whereIn('v.id', variantIds)
    .where('v.active', true)
    .where('p.status', 'active')
    .select('v.id')
  if (isCustomer(principal)) {
    query.whereIn(
      'p.id',
      trx.from('estore_product_audience').where('user_id', principal.id).select('product_id')
    )
  }
  const rows: Array<{ id: string }> = await query
  const offered = new Set(rows.map((row) => String(row.id)))
  const missing = variantIds.find((id) => !offered.has(id))
  if (missing) throw new E_NOT_AVAILABLE([missing])
}

export function getCart(principal: Principal) {
  const userId = shopperOf(principal)
  return withTenantDb((trx) => cartView(trx, userId))
}

/** Sets the quantity of a variant in the cart (0 removes it). */
export function setCartItem(principal: Principal, variantId: string, quantity: number) {
  const userId = shopperOf(principal)
  return withTenantDb(async (trx) => {
    if (quantity === 0) {
      await trx.from('estore_cart_items').where({ user_id: userId, variant_id: variantId }).delete()
      return cartView(trx, userId)
    }
    const variant = await trx.from('estore_variants').where('id', variantId).first()
    if (!variant) throw new E_ESTORE_NOT_FOUND(['Variant', variantId])
    await assertOffered(trx, principal, [variantId])
    await trx.rawQuery(
      `INSERT INTO estore_cart_items (user_id, variant_id, quantity) VALUES (?, ?, ?)
       ON CONFLICT (user_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now()`,
      [userId, variantId, quantity]
    )
    return cartView(trx, userId)
  })
}

export function clearCart(principal: Principal) {
  const userId = shopperOf(principal)
  return withTenantDb(async (trx) => {
    await trx.from('estore_cart_items').where('user_id', userId).delete()
    return cartView(trx, userId)
  })
}
