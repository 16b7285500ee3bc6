import { creditInvoice } from '../../erp/index.js'
import { E_ORDER_NOT_PAYABLE, E_OVER_REFUND, E_INVALID_TRANSITION } from '../errors.js'
import {
  cardGatewayConfig,
  openOrderCheckout,
  ORDER_PURPOSE,
  refundSession,
} from '../payments/card_gateway.js'
import { estoreSettings } from '../settings.js'
import { type Row } from './access.js'
import { idempotent } from './idempotency.js'
import { cancelPlaced, fulfil, lockOrder, markPaid, orderView } from './orders.js'
import {
  actorOf,
  emitEvent,
  recordAudit,
  tenantContext,
  withTenantDb,
  type Principal,
  type Trx,
} from '@oryne/sdk'

/*
 * Payment providers. `offline` (cash or bank transfer, confirmed by staff) is
 * the default; `card` sends the customer to the card gateway's hosted
 * checkout and learns the outcome from its signed webhook; `account` charges
 * the ERP account at checkout (services/checkout.ts).
 */

function assertPayable(order: Row) {
  const expired = order.reserved_until && new Date(order.reserved_until) <= new Date()
  if (order.status !== 'placed' || expired) {
    throw new E_ORDER_NOT_PAYABLE([String(order.id), expired ? 'expired' : order.status])
  }
}

/**
 * Starts paying a placed order by card: opens a checkout session at the
 * gateway through core (purpose `estore.order`; Idempotency-Key forwarded,
 * derived from the tenant, the order and the caller's key) and answers its
 * redirect URL. Same key, same session.
 */
export async function startCardPayment(
  orderId: string,
  principal: Principal,
  idempotencyKey?: string | null
) {
  const settings = await estoreSettings()
  const gateway = await cardGatewayConfig(settings)
  const actor = actorOf(principal)
  return withTenantDb(async (trx) => {
    const order = await lockOrder(trx, orderId, principal)
    return idempotent(
      trx,
      { actor, scope: `card_session:${orderId}`, key: idempotencyKey, request: { orderId } },
      async () => {
        assertPayable(order)
        // The order row stays locked during the call: a second request for the order waits for it.
        const session = await openOrderCheckout(trx, {
          purpose: ORDER_PURPOSE,
          reference: orderId,
          amount: Number(order.total),
          // Back to the order's page, which reads the order as the webhook left it, unless the school set an address.
          returnUrl: settings.return_url || undefined,
          returnPath: `/app/estore/orders/${orderId}`,
          gateway,
          actor,
          idempotencyKey,
        })
        // Core answers the order's open session again (a second press, a second tab): its payment stands.
        const current = await trx
          .from('estore_payments')
          .where({ provider: 'card', external_id: session.session_id })
          .first()
        if (current) {
          return {
            status: 201,
            body: { order_id: orderId, payment_id: String(current.id), redirect_url: session.url },
          }
        }
        await trx
          .from('estore_payments')
          .where({ order_id: orderId, provider: 'card', status: 'pending' })
          .update({ status: 'failed', updated_at: new Date() })
        const [payment] = await trx
          .insertQuery()
          .table('estore_payments')
          .insert({
            order_id: orderId,
            provider: 'card',
            status: 'pending',
            amount: Number(order.total),
            external_id: session.session_id,
            redirect_url: session.url,
          })
          .returning('*')
        return {
          status: 201,
          body: { order_id: orderId, payment_id: String(payment.id), redirect_url: session.url },
        }
      }
    )
  })
}

/** Staff confirm cash or a bank transfer received for a placed order. */
export function confirmOfflinePayment(
  orderId: string,
  input: { reference?: string | null },
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const order = await lockOrder(trx, orderId)
    if (order.payment_method !== 'offline') {
      throw new E_ORDER_NOT_PAYABLE([orderId, `paid by ${order.payment_method}`])
    }
    await markPaid(trx, order, {
      provider: 'offline',
      amount: Number(order.total),
      reference: input.reference ?? null,
      actor: actorOf(principal),
      requestId,
    })
    return orderView(trx, orderId)
  })
}

/** Cancels a placed order: its owner or staff. */
export function cancelOrder(
  orderId: string,
  input: { reason?: string | null },
  principal: Principal,
  requestId?: string
) {
  return withTenantDb(async (trx) => {
    const order = await lockOrder(trx, orderId, principal)
    await cancelPlaced(trx, order, {
      reason: input.reason ?? 'cancelled',
      actor: actorOf(principal),
      requestId,
    })
    return orderView(trx, orderId)
  })
}

export function fulfilOrder(orderId: string, principal: Principal, requestId?: string) {
  return withTenantDb(async (trx) => {
    const order = await lockOrder(trx, orderId)
    await fulfil(trx, order, actorOf(principal), requestId)
    return orderView(trx, orderId)
  })
}

async function cardSessionOf(trx: Trx, orderId: string) {
  return trx
    .from('estore_payments')
    .where({ order_id: orderId, provider: 'card', status: 'succeeded' })
    .orderBy('id', 'desc')
    .first()
}

/**
 * Gives back part or all of a paid order. Card payments are refunded at the
 * gateway first (same Idempotency-Key, same refund); account refunds credit
 * the order's ERP invoice by the amount, in the same transaction (so a retry
 * with the same Idempotency-Key, answered from the stored response, credits
 * nothing again; an invoice the family already paid refuses the credit with
 * ERR_ERP_OVER_CREDIT and nothing is refunded); offline refunds are recorded
 * (money handed back by the office). The order becomes `refunded` once
 * refunds reach its total.
 */
export async function refundOrder(
  orderId: string,
  input: { amount: number; reason?: string | null },
  principal: Principal,
  idempotencyKey?: string | null,
  requestId?: string
) {
  const gateway = await cardGatewayConfig(await estoreSettings())
  const tenant = tenantContext.require()
  const actor = actorOf(principal)
  return withTenantDb(async (trx) => {
    const order = await lockOrder(trx, orderId)
    return idempotent(
      trx,
      { actor, scope: `refund:${orderId}`, key: idempotencyKey, request: input },
      async () => {
        if (order.status !== 'paid' && order.status !== 'fulfilled') {
          throw new E_INVALID_TRANSITION([orderId, order.status, 'refunded'])
        }
        const left = Number(order.total) - Number(order.refunded)
        if (input.amount > left) throw new E_OVER_REFUND([orderId, left, input.amount])
        let externalId: string | null = null
        if (order.payment_method === 'card') {
          const payment = await cardSessionOf(trx, orderId)
          const count = await trx.from('estore_refunds').where('order_id', orderId).count('* as n')
          const key = `${tenant.id}:${orderId}:refund:${idempotencyKey ?? count[0].n}`
          const atGateway = await refundSession(gateway, payment.external_id, input.amount, key)
          externalId = atGateway.id
        }
        if (order.payment_method === 'account') {
          await creditInvoice(trx, {
            invoice_id: order.invoice_id,
            source: 'estore',
            amount: input.amount,
            reason: `refund of store order ${orderId}${input.reason ? ` (${input.reason})` : ''}`,
            actor,
          })
        }
        const [refund] = await trx
          .insertQuery()
          .table('estore_refunds')
          .insert({
            order_id: orderId,
            amount: input.amount,
            reason: input.reason ?? null,
            external_id: externalId,
          })
          .returning('*')
        const refunded = Number(order.refunded) + input.amount
        const status = refunded === Number(order.total) ? 'refunded' : order.status
        await trx
          .from('estore_orders')
          .where('id', orderId)
          .update({ refunded, status, updated_at: new Date() })
        await recordAudit(trx, {
          actor,
          action: 'estore.orders.refund',
          subject: `estore.orders:${orderId}`,
          data: { amount: input.amount, refunded, status },
          request_id: requestId,
        })
        await emitEvent(
          'estore.order.refunded',
          {
            order_id: orderId,
            user_id: order.user_id,
            refund_id: String(refund.id),
            amount: input.amount,
            refunded,
            full: status === 'refunded',
          },
          actor
        )
        return { status: 201, body: { refund, order: await orderView(trx, orderId) } }
      }
    )
  })
}
