import { createInvoice, standingTo, studentIdOfUser } from '../../erp/index.js'
import { E_CART_EMPTY, E_NO_STUDENT_ACCOUNT } from '../errors.js'
import { estoreSettings, type EstoreSettings } from '../settings.js'
import { shopperOf, type Row } from './access.js'
import { assertOffered, cartLines, taxOf } from './cart.js'
import { idempotent } from './idempotency.js'
import { moveStock } from './ledger.js'
import { markPaid, orderView } from './orders.js'
import { allocateDiscount, recordRedemption, redeemVoucher } from './vouchers.js'
import {
  actorOf,
  addDays,
  emitEvent,
  invalidField,
  recordAudit,
  tenantToday,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'

export type CheckoutInput = {
  payment_method?: 'offline' | 'card' | 'account'
  /** account: the ERP student to charge (a Parent names one of their children). */
  student_id?: string
  /** A voucher code (any case): its discount comes off the net subtotal, before tax. */
  voucher_code?: string
}

/**
 * The ERP student an order is charged to: a Student's own record, or a child
 * of a Parent (who names it). Anyone else has no account to charge.
 */
async function accountToCharge(trx: Trx, principal: Principal, studentId?: string) {
  if (principal.roles.includes('Student')) {
    const own = await studentIdOfUser(trx, principal.id)
    if (own && (!studentId || studentId === own)) return own
  }
  if (principal.roles.includes('Parent') && studentId) {
    const { guardian } = await standingTo(trx, principal.id, studentId)
    if (guardian) return studentId
  }
  throw new E_NO_STUDENT_ACCOUNT()
}

function reservationEnds(method: string, settings: EstoreSettings) {
  const minutes =
    method === 'card' ? settings.card_reservation_minutes : settings.offline_reservation_minutes
  return new Date(Date.now() + minutes * 60_000)
}

/**
 * Turns the caller's cart into an order, in one transaction: the cart lines
 * are locked (a second checkout of the same cart finds it empty), each
 * variant's stock is reserved by a conditional UPDATE in variant id order (so
 * no concurrent checkout can oversell or deadlock), the ledger records every
 * reservation and the cart is emptied. A voucher's use is counted under a
 * lock of its row (services/vouchers.ts) and its discount shared among the
 * lines before their tax. Any failure rolls all of it back. Charged to an ERP
 * account, the order is paid at once by an invoice of the fees service (an
 * order a voucher brings to 0 is paid at once, with no invoice). With an
 * Idempotency-Key, a retry answers the same order.
 */
export async function checkout(
  principal: Principal,
  input: CheckoutInput,
  idempotencyKey?: string | null,
  requestId?: string
) {
  const userId = shopperOf(principal)
  const settings = await estoreSettings()
  const method = input.payment_method ?? 'offline'
  if (!settings.payment_methods.includes(method)) {
    throw invalidField('payment_method', 'enabled', `Payment method "${method}" is not offered`)
  }
  const actor = actorOf(principal)
  return withTenantDb((trx) =>
    idempotent(trx, { actor, scope: 'checkout', key: idempotencyKey, request: input }, async () => {
      const lines = await cartLines(trx, userId, true)
      if (!lines.length) throw new E_CART_EMPTY()
      await assertOffered(
        trx,
        principal,
        lines.map((line) => String(line.variant_id))
      )
      const studentId =
        method === 'account' ? await accountToCharge(trx, principal, input.student_id) : null

      const nets = lines.map((line: Row) => Number(line.price) * Number(line.quantity))
      const subtotal = nets.reduce((sum, net) => sum + net, 0)
      const voucher = input.voucher_code
        ? await redeemVoucher(trx, { code: input.voucher_code, buyerId: userId, subtotal })
        : null
      const discounts = allocateDiscount(voucher?.discount ?? 0, nets)
      const priced = lines.map((line: Row, index) => {
        const net = nets[index]
        const discount = discounts[index]
        const tax = taxOf(net - discount, Number(line.tax_rate_bp))
        return { line, net, discount, tax }
      })
      const discount = voucher?.discount ?? 0
      const tax = priced.reduce((sum, item) => sum + item.tax, 0)
      const total = subtotal - discount + tax
      const paidByVoucher = voucher !== null && total === 0
      const [order] = await trx
        .insertQuery()
        .table('estore_orders')
        .insert({
          user_id: userId,
          status: 'placed',
          payment_method: method,
          subtotal,
          discount,
          tax,
          total,
          refunded: 0,
          reserved_until:
            method === 'account' || paidByVoucher ? null : reservationEnds(method, settings),
          student_id: studentId,
          voucher_id: voucher?.voucher.id ?? null,
        })
        .returning('*')
      const orderId = String(order.id)
      if (voucher) {
        await recordRedemption(trx, {
          voucherId: String(voucher.voucher.id),
          orderId,
          buyerId: userId,
          discount,
        })
      }
      for (const { line } of priced) {
        await moveStock(trx, {
          variantId: String(line.variant_id),
          quantity: -Number(line.quantity),
          reason: 'reservation',
          orderId,
          actor,
        })
      }
      await trx
        .insertQuery()
        .table('estore_order_items')
        .multiInsert(
          priced.map(({ line, net, discount: lineDiscount, tax: lineTax }) => ({
            order_id: orderId,
            product_id: line.product_id,
            variant_id: line.variant_id,
            name: [line.name, line.size, line.colour].filter(Boolean).join(' / '),
            sku: line.sku,
            quantity: line.quantity,
            unit_price: line.price,
            discount: lineDiscount,
            tax: lineTax,
            total: net - lineDiscount + lineTax,
          }))
        )
      await trx.from('estore_cart_items').where('user_id', userId).delete()
      await recordAudit(trx, {
        actor,
        action: 'estore.orders.place',
        subject: `estore.orders:${orderId}`,
        data: {
          total: Number(order.total),
          payment_method: method,
          lines: lines.length,
          ...(voucher ? { voucher: voucher.voucher.code, discount } : {}),
        },
        request_id: requestId,
      })
      await emitEvent(
        'estore.order.placed',
        {
          order_id: orderId,
          user_id: userId,
          total: Number(order.total),
          discount,
          payment_method: method,
          items: lines.map((line) => ({
            product_id: String(line.product_id),
            variant_id: String(line.variant_id),
            quantity: Number(line.quantity),
          })),
        },
        actor
      )
      if (paidByVoucher) {
        // Nothing to pay (a voucher took it all): no payment to wait for, no stock held hostage.
        await markPaid(trx, order, {
          provider: method,
          amount: 0,
          reference: `voucher ${voucher!.voucher.code}`,
          actor,
        })
      } else if (method === 'account') {
        await chargeAccount(trx, order, studentId!, settings, actor)
      }
      return { status: 201, body: await orderView(trx, orderId) }
    })
  )
}

/**
 * Charges the order to the student's ERP account: one invoice through ERP's
 * fees service (lines with tax included, due after `account_due_days`), and
 * the order is paid by it.
 */
async function chargeAccount(
  trx: Trx,
  order: Row,
  studentId: string,
  settings: EstoreSettings,
  actor: string
) {
  const items = await trx.from('estore_order_items').where('order_id', order.id).orderBy('id')
  const invoice = await createInvoice(trx, {
    student_id: studentId,
    lines: items.map((item) => ({
      description: `Store order ${order.id}: ${item.name} x ${item.quantity}`,
      amount: Number(item.total),
    })),
    due_on: addDays(tenantToday(), settings.account_due_days),
    source: 'estore',
    note: `E-store order ${order.id}`,
  })
  await trx.from('estore_orders').where('id', order.id).update({ invoice_id: invoice.id })
  await markPaid(trx, order, {
    provider: 'account',
    amount: Number(order.total),
    reference: invoice.number,
    actor,
  })
}
