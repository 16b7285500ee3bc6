import { E_VOUCHER_NOT_APPLICABLE } from '../errors.js'
import { type Row } from './access.js'
import { invalidField, type ResourceHooks, type Trx } from '@oryne/sdk'

/*
 * Vouchers at checkout. A code takes a percentage or a fixed amount off the
 * order's net subtotal (before tax), between its dates, for at most
 * `max_uses` orders in all and `max_uses_per_buyer` per buyer. The use is
 * counted in the checkout's transaction under a lock of the voucher row, as
 * stock is reserved under the variant's: concurrent checkouts never exceed a
 * limit, and a failed checkout counts nothing. A cancelled order (by its
 * buyer, by staff, or its reservation expiring) gives its use back; a refund
 * does not (the order was bought), and refunds never exceed what was paid,
 * the discounted total.
 */

type Data = Record<string, unknown>

/** Why a code cannot be used, as `details.reason`. */
export type VoucherRefusal =
  'unknown' | 'not_started' | 'expired' | 'used_up' | 'buyer_limit' | 'below_minimum'

const REFUSALS: Record<VoucherRefusal, string> = {
  unknown: 'no active voucher has this code',
  not_started: 'it is not valid yet',
  expired: 'it has expired',
  used_up: 'it has been used as many times as it may be',
  buyer_limit: 'you have used it as many times as you may',
  below_minimum: 'the order is below its minimum',
}

function refuse(code: string, reason: VoucherRefusal, extra: Data = {}) {
  return new E_VOUCHER_NOT_APPLICABLE([code, REFUSALS[reason]], { details: { reason, ...extra } })
}

export const normaliseCode = (code: string) => code.trim().toUpperCase()

/** A voucher as it will be stored: the code upper case, a percentage at most 100, an end after its start. */
function checkVoucher(changes: Data, current: Data) {
  if (typeof changes.code === 'string') changes.code = normaliseCode(changes.code)
  const next = { ...current, ...changes }
  if (next.kind === 'percentage' && Number(next.value) > 100)
    throw invalidField('value', 'max', 'A percentage voucher takes at most 100 (percent) off')
  if (
    next.starts_at &&
    next.ends_at &&
    new Date(String(next.ends_at)) <= new Date(String(next.starts_at))
  )
    throw invalidField('ends_at', 'after', 'The voucher must end after it starts')
}

export const voucherHooks: ResourceHooks = {
  beforeCreate: (data) => checkVoucher(data, {}),
  beforeUpdate: (changes, before) => checkVoucher(changes, before),
}

/** The discount a voucher gives on a net subtotal: never more than the subtotal. */
export function discountOf(voucher: Row, subtotal: number) {
  const value = Number(voucher.value)
  const discount = voucher.kind === 'percentage' ? Math.floor((subtotal * value) / 100) : value
  return Math.min(discount, subtotal)
}

/**
 * Shares `discount` among lines in proportion to their net amounts, in minor
 * units that add up to it exactly (largest remainders first, then line order).
 */
export function allocateDiscount(discount: number, nets: number[]): number[] {
  const subtotal = nets.reduce((sum, net) => sum + net, 0)
  if (!discount || !subtotal) return nets.map(() => 0)
  const exact = nets.map((net) => (discount * net) / subtotal)
  const shares = exact.map(Math.floor)
  let left = discount - shares.reduce((sum, share) => sum + share, 0)
  const order = exact
    .map((value, index) => ({ index, remainder: value - shares[index] }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index)
  for (const { index } of order) {
    if (!left) break
    shares[index] += 1
    left -= 1
  }
  return shares
}

/**
 * Counts one use of `code` by `buyerId` for an order of `subtotal`, inside
 * the checkout's transaction, and returns the voucher with its discount; or
 * refuses (ERR_ESTORE_VOUCHER_NOT_APPLICABLE, `details.reason`). The voucher
 * row stays locked until the checkout commits, so the limits read here hold.
 */
export async function redeemVoucher(
  trx: Trx,
  input: { code: string; buyerId: string; subtotal: number; now?: Date }
) {
  const code = normaliseCode(input.code)
  const now = input.now ?? new Date()
  const voucher: Row | null = await trx
    .from('estore_vouchers')
    .where({ code, active: true })
    .forUpdate()
    .first()
  if (!voucher) throw refuse(code, 'unknown')
  if (voucher.starts_at && new Date(voucher.starts_at) > now)
    throw refuse(code, 'not_started', { starts_at: voucher.starts_at })
  if (voucher.ends_at && new Date(voucher.ends_at) <= now)
    throw refuse(code, 'expired', { ends_at: voucher.ends_at })
  if (voucher.max_uses !== null && Number(voucher.uses) >= Number(voucher.max_uses))
    throw refuse(code, 'used_up')
  if (voucher.max_uses_per_buyer !== null) {
    const [{ n }] = await trx
      .from('estore_voucher_redemptions')
      .where({ voucher_id: voucher.id, user_id: input.buyerId })
      .whereNull('released_at')
      .count('* as n')
    if (Number(n) >= Number(voucher.max_uses_per_buyer)) throw refuse(code, 'buyer_limit')
  }
  if (input.subtotal < Number(voucher.min_subtotal))
    throw refuse(code, 'below_minimum', { min_subtotal: Number(voucher.min_subtotal) })
  await trx
    .from('estore_vouchers')
    .where('id', voucher.id)
    .update({ uses: Number(voucher.uses) + 1, updated_at: now })
  return { voucher, discount: discountOf(voucher, input.subtotal) }
}

/** Records which order used the voucher (the use counted by redeemVoucher). */
export async function recordRedemption(
  trx: Trx,
  redemption: { voucherId: string; orderId: string; buyerId: string; discount: number }
) {
  await trx.insertQuery().table('estore_voucher_redemptions').insert({
    voucher_id: redemption.voucherId,
    order_id: redemption.orderId,
    user_id: redemption.buyerId,
    discount: redemption.discount,
  })
}

/**
 * Gives back the use of a cancelled order's voucher, if it had one. Called
 * before the order's stock is released: voucher rows are locked before
 * variant rows everywhere (checkout does the same), so the two never deadlock.
 */
export async function releaseVoucher(trx: Trx, orderId: string) {
  const released = await trx
    .from('estore_voucher_redemptions')
    .where('order_id', orderId)
    .whereNull('released_at')
    .update({ released_at: new Date(), updated_at: new Date() })
    .returning('voucher_id')
  for (const { voucher_id: voucherId } of released) {
    await trx
      .from('estore_vouchers')
      .where('id', voucherId)
      .update({ uses: trx.raw('greatest(uses - 1, 0)'), updated_at: new Date() })
  }
}
