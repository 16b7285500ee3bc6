import { DateTime } from 'luxon'
import { createInvoice, studentIdOfUser } from '../../erp/index.js'
import { E_CART_EMPTY, E_NO_STUDENT_ACCOUNT } from '../errors.js'
import { estoreSettings, type EstoreSettings } from '../settings.js'
import { shopperOf, type Row } from './access.js'
import { assertOffered, cartLines, taxOf } from './cart.js'
import { idempotent } from './idempotency.js'
import { moveStock } from './ledger.js'
import { markPaid, orderView } from './orders.js'
import { invalidField } from './validation.js'
import {
  actorOf,
  emitEvent,
  recordAudit,
  tenantContext,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'

export type CheckoutInput = {
  payment_method?: 'offline' | 'card' | 'account'
  /** account: the ERP student to charge (a Parent names one of their children). */
  student_id?: string
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
    const child = await trx
      .from('erp_guardians')
      .where({ student_id: studentId, user_id: principal.id })
      .first()
    if (child) return studentId
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
 * reservation and the cart is emptied. Any failure rolls all of it back.
 * Charged to an ERP account, the order is paid at once by an invoice of the
 * fees service. With an Idempotency-Key, a retry answers the same order.
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

      const priced = lines.map((line: Row) => {
        const net = Number(line.price) * Number(line.quantity)
        const tax = taxOf(net, Number(line.tax_rate_bp))
        return { line, net, tax }
      })
      const subtotal = priced.reduce((sum, item) => sum + item.net, 0)
      const tax = priced.reduce((sum, item) => sum + item.tax, 0)
      const [order] = await trx
        .insertQuery()
        .table('estore_orders')
        .insert({
          user_id: userId,
          status: 'placed',
          payment_method: method,
          subtotal,
          tax,
          total: subtotal + tax,
          refunded: 0,
          reserved_until: method === 'account' ? null : reservationEnds(method, settings),
          student_id: studentId,
        })
        .returning('*')
      const orderId = String(order.id)
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
          priced.map(({ line, net, tax: lineTax }) => ({
            order_id: orderId,
            product_id: line.product_id,
            variant_id: line.variant_id,
            name: [line.name, line.size, line.colour].filter(Boolean).join(' / '),
            sku: line.sku,
            quantity: line.quantity,
            unit_price: line.price,
            tax: lineTax,
            total: net + lineTax,
          }))
        )
      await trx.from('estore_cart_items').where('user_id', userId).delete()
      await recordAudit(trx, {
        actor,
        action: 'estore.orders.place',
        subject: `estore.orders:${orderId}`,
        data: { total: Number(order.total), payment_method: method, lines: lines.length },
        request_id: requestId,
      })
      await emitEvent(
        'estore.order.placed',
        {
          order_id: orderId,
          user_id: userId,
          total: Number(order.total),
          payment_method: method,
          items: lines.map((line) => ({
            product_id: String(line.product_id),
            variant_id: String(line.variant_id),
            quantity: Number(line.quantity),
          })),
        },
        actor
      )
      if (method === 'account') await chargeAccount(trx, order, studentId!, settings, actor)
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
  const zone = tenantContext.require().settings.time_zone || 'UTC'
  const invoice = await createInvoice(trx, {
    student_id: studentId,
    lines: items.map((item) => ({
      description: `Store order ${order.id}: ${item.name} x ${item.quantity}`,
      amount: Number(item.total),
    })),
    due_on: DateTime.now().setZone(zone).plus({ days: settings.account_due_days }).toISODate()!,
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
