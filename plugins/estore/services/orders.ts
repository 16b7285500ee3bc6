import { E_ESTORE_NOT_FOUND, E_INVALID_TRANSITION, E_ORDER_NOT_PAYABLE } from '../errors.js'
import { isCustomer, type Row } from './access.js'
import { moveStock } from './ledger.js'
import { nextReceiptNo } from './receipts.js'
import { releaseVoucher } from './vouchers.js'
import { emitEvent, recordAudit, type Principal, type Trx } from '@oryne/sdk'

/*
 * The order lifecycle:
 *   placed -> paid -> fulfilled
 *   placed -> cancelled (by the customer, by staff, or when the reservation expires)
 *   paid | fulfilled -> refunded (once refunds reach the total; partial refunds keep the status)
 * A placed order holds its stock (a reservation in the ledger); cancelling
 * gives it back through the ledger.
 */

/** The order, locked for a change; customers reach only their own (404 otherwise). */
export async function lockOrder(trx: Trx, orderId: string, principal?: Principal) {
  const order = await trx.from('estore_orders').where('id', orderId).forUpdate().first()
  if (!order || (principal && isCustomer(principal) && order.user_id !== principal.id)) {
    throw new E_ESTORE_NOT_FOUND(['Order', orderId])
  }
  return order as Row
}

export async function orderItems(trx: Trx, orderId: string) {
  return trx.from('estore_order_items').where('order_id', orderId).orderBy('variant_id')
}

/** The order with its lines and payments, as the API returns it. */
export async function orderView(trx: Trx, orderId: string) {
  const order = await trx.from('estore_orders').where('id', orderId).first()
  return {
    ...order,
    items: await orderItems(trx, orderId),
    payments: await trx.from('estore_payments').where('order_id', orderId).orderBy('id'),
  }
}

function itemsOf(items: Row[]) {
  return items.map((item) => ({
    product_id: String(item.product_id),
    variant_id: String(item.variant_id),
    quantity: Number(item.quantity),
  }))
}

export type Settlement = {
  provider: 'offline' | 'card' | 'account'
  amount: number
  externalId?: string | null
  reference?: string | null
  actor: string
  requestId?: string
}

/**
 * placed -> paid: numbers the receipt (gapless per tenant, in this
 * transaction), settles the pending payment of the provider (or records one)
 * and emits `estore.order.paid` with the items.
 */
export async function markPaid(trx: Trx, order: Row, settlement: Settlement) {
  if (order.status !== 'placed') {
    throw new E_ORDER_NOT_PAYABLE([String(order.id), order.status])
  }
  const now = new Date()
  const receiptNo = await nextReceiptNo(trx)
  const [paid] = await trx
    .from('estore_orders')
    .where('id', order.id)
    .update({ status: 'paid', paid_at: now, receipt_no: receiptNo, updated_at: now })
    .returning('*')
  const pendingQuery = trx
    .from('estore_payments')
    .where({ order_id: order.id, provider: settlement.provider, status: 'pending' })
    .orderBy('id', 'desc')
  if (settlement.externalId) pendingQuery.where('external_id', settlement.externalId)
  const pending = await pendingQuery.first()
  const fields = {
    status: 'succeeded',
    amount: settlement.amount,
    reference: settlement.reference ?? null,
    updated_at: now,
  }
  if (pending) {
    await trx.from('estore_payments').where('id', pending.id).update(fields)
  } else {
    await trx
      .insertQuery()
      .table('estore_payments')
      .insert({
        ...fields,
        order_id: order.id,
        provider: settlement.provider,
        external_id: settlement.externalId ?? null,
      })
  }
  await recordAudit(trx, {
    actor: settlement.actor,
    action: 'estore.orders.paid',
    subject: `estore.orders:${order.id}`,
    data: { provider: settlement.provider, amount: settlement.amount, receipt_no: receiptNo },
    request_id: settlement.requestId,
  })
  await emitEvent(
    'estore.order.paid',
    {
      order_id: String(order.id),
      user_id: order.user_id,
      total: Number(order.total),
      receipt_no: receiptNo,
      payment_method: settlement.provider,
      items: itemsOf(await orderItems(trx, String(order.id))),
    },
    settlement.actor
  )
  return paid
}

/** placed -> cancelled: the voucher's use and the reserved stock (through the ledger) go back. */
export async function cancelPlaced(
  trx: Trx,
  order: Row,
  options: { reason: string; actor: string; requestId?: string }
) {
  if (order.status !== 'placed') {
    throw new E_INVALID_TRANSITION([String(order.id), order.status, 'cancelled'])
  }
  // Before the stock: voucher rows are locked before variant rows, as at checkout.
  await releaseVoucher(trx, String(order.id))
  const items = await orderItems(trx, String(order.id))
  for (const item of items) {
    await moveStock(trx, {
      variantId: String(item.variant_id),
      quantity: Number(item.quantity),
      reason: 'release',
      orderId: String(order.id),
      note: options.reason,
      actor: options.actor,
    })
  }
  const now = new Date()
  const [cancelled] = await trx
    .from('estore_orders')
    .where('id', order.id)
    .update({ status: 'cancelled', cancel_reason: options.reason, updated_at: now })
    .returning('*')
  await trx
    .from('estore_payments')
    .where({ order_id: order.id, status: 'pending' })
    .update({ status: 'failed', updated_at: now })
  await recordAudit(trx, {
    actor: options.actor,
    action: 'estore.orders.cancel',
    subject: `estore.orders:${order.id}`,
    data: { reason: options.reason },
    request_id: options.requestId,
  })
  await emitEvent(
    'estore.order.cancelled',
    {
      order_id: String(order.id),
      user_id: order.user_id,
      reason: options.reason,
      items: itemsOf(items),
    },
    options.actor
  )
  return cancelled
}

/** paid -> fulfilled: the goods were handed over. */
export async function fulfil(trx: Trx, order: Row, actor: string, requestId?: string) {
  if (order.status !== 'paid') {
    throw new E_INVALID_TRANSITION([String(order.id), order.status, 'fulfilled'])
  }
  const [fulfilled] = await trx
    .from('estore_orders')
    .where('id', order.id)
    .update({ status: 'fulfilled', updated_at: new Date() })
    .returning('*')
  await recordAudit(trx, {
    actor,
    action: 'estore.orders.fulfil',
    subject: `estore.orders:${order.id}`,
    data: { before: { status: order.status }, after: { status: 'fulfilled' } },
    request_id: requestId,
  })
  return fulfilled
}
