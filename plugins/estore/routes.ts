import {
  E_CART_EMPTY,
  E_ESTORE_NOT_FOUND,
  E_IDEMPOTENCY_MISMATCH,
  E_INVALID_TRANSITION,
  E_NO_STUDENT_ACCOUNT,
  E_NOT_AVAILABLE,
  E_ORDER_NOT_PAYABLE,
  E_OUT_OF_STOCK,
  E_OVER_REFUND,
  E_PROVIDER_NOT_CONFIGURED,
  E_PROVIDER_UNAVAILABLE,
  E_VOUCHER_NOT_APPLICABLE,
  E_WEBHOOK_SIGNATURE,
  E_WEBHOOK_STALE,
} from './errors.js'
import { E_CREDIT_SOURCE, E_OVER_CREDIT } from '../erp/index.js'
import {
  addCartItemInput,
  checkoutInput,
  adjustInput,
  cancelInput,
  confirmInput,
  refundInput,
  salesQuery,
} from './validators.js'
import { clearCart, getCart, setCartItem } from './services/cart.js'
import { checkout } from './services/checkout.js'
import {
  cancelOrder,
  confirmOfflinePayment,
  fulfilOrder,
  refundOrder,
  startCardPayment,
} from './services/payments.js'
import { adjustStock, stockBalance } from './services/stock.js'
import { lowStockReport, salesReport } from './services/reports.js'
import { receiveCardWebhook } from './services/webhooks.js'
import { SIGNATURE_HEADER } from './payments/signature.js'
import {
  authorize,
  defineIdParam,
  E_FORBIDDEN,
  E_VALIDATION,
  invalidField,
  respond,
  type HttpContext,
  type OperationDoc,
  type Router,
} from '@oryne/sdk'

type Schema = NonNullable<OperationDoc['data']>

/** An object with these keys (their types left open: money and ids come as the database gives them). */
const shape = (required: string[], properties: Record<string, Schema> = {}): Schema => ({
  type: 'object',
  required,
  properties: { ...Object.fromEntries(required.map((key) => [key, {}])), ...properties },
})
const list: Schema = { type: 'array', items: { type: 'object' } }
const cart = shape(['items', 'subtotal', 'tax', 'total'], {
  items: list,
  subtotal: { type: 'integer' },
  tax: { type: 'integer' },
  total: { type: 'integer' },
})
/** An order as orderView() shows it: the row with its lines and payments. */
const order = shape(['id', 'status', 'payment_method', 'total', 'items', 'payments'], {
  status: { type: 'string' },
  payment_method: { type: 'string' },
  items: list,
  payments: list,
})
const stock = shape(['variant_id', 'stock'], {
  variant_id: { type: 'string' },
  stock: { type: 'integer' },
})

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
const param = defineIdParam(E_ESTORE_NOT_FOUND)

function requestId(ctx: HttpContext) {
  return ctx.request.id() ?? undefined
}

/** The Idempotency-Key header: 1 to 255 visible ASCII characters, or none. */
function idempotencyKey(ctx: HttpContext) {
  const key = ctx.request.header('idempotency-key')
  if (key === undefined) return null
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw invalidField('Idempotency-Key', 'format', 'Send 1 to 255 visible ASCII characters')
  }
  return key
}

/**
 * Answers an idempotent result; a replay says so in a header. A created
 * record's address goes in Location, on the replay too.
 */
function respondOnce<T>(
  ctx: HttpContext,
  result: { status: number; body: T; replayed: boolean },
  location: (body: T) => string
) {
  if (result.replayed) ctx.response.header('Idempotent-Replayed', 'true')
  respond(ctx, result.body, {
    status: result.status,
    location: result.status === 201 ? location(result.body) : undefined,
  })
}

const idempotencyNote =
  'With an Idempotency-Key header (1 to 255 visible ASCII characters) a retry answers the stored answer, with Idempotent-Replayed: true; the same key with another request is refused.'

/** The e-store workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function estoreRoutes(router: Router) {
  router
    .get('/cart', async (ctx) => {
      respond(ctx, await getCart(await authorize(ctx, 'estore.cart.use')))
    })
    .describe({
      summary: "The caller's cart with line and grand totals",
      data: cart,
      errors: [E_FORBIDDEN],
    })

  router
    .put('/cart/items', async (ctx) => {
      const principal = await authorize(ctx, 'estore.cart.use')
      const input = await addCartItemInput.validate(ctx.request.body())
      respond(ctx, await setCartItem(principal, input.variant_id, input.quantity))
    })
    .describe({
      summary: 'Set the quantity of a variant in the cart',
      description: 'Quantity 0 removes the variant. Answers the whole cart.',
      body: addCartItemInput,
      data: cart,
      errors: [E_ESTORE_NOT_FOUND, E_NOT_AVAILABLE, E_FORBIDDEN],
    })

  router
    .delete('/cart', async (ctx) => {
      respond(ctx, await clearCart(await authorize(ctx, 'estore.cart.use')))
    })
    .describe({ summary: 'Empty the cart', data: cart, errors: [E_FORBIDDEN] })

  router
    .post('/checkout', async (ctx) => {
      const principal = await authorize(ctx, 'estore.orders.place')
      const key = idempotencyKey(ctx)
      const input = await checkoutInput.validate(ctx.request.body())
      respondOnce(
        ctx,
        await checkout(principal, input, key, requestId(ctx)),
        (placed) => `/api/v1/estore/orders/${placed.id}`
      )
    })
    .describe({
      summary: 'Turn the cart into an order',
      description: `Reserves the stock of every line (all or none) and empties the cart. payment_method "account" charges the ERP account of the student (a parent names one of their children in student_id) and answers the order paid. Answers the order, with its address in Location. ${idempotencyNote}`,
      body: checkoutInput,
      status: 201,
      location: '/api/v1/estore/orders/{id}',
      data: order,
      errors: [
        E_CART_EMPTY,
        E_NOT_AVAILABLE,
        E_OUT_OF_STOCK,
        E_NO_STUDENT_ACCOUNT,
        E_VOUCHER_NOT_APPLICABLE,
        E_IDEMPOTENCY_MISMATCH,
        E_FORBIDDEN,
      ],
    })

  router
    .post('/orders/:id/card-session', async (ctx) => {
      const principal = await authorize(ctx, 'estore.orders.place')
      const key = idempotencyKey(ctx)
      respondOnce(
        ctx,
        await startCardPayment(param(ctx, 'Order'), principal, key),
        (session) => `/api/v1/estore/payments/${session.payment_id}`
      )
    })
    .describe({
      summary: 'Start paying a placed order by card',
      description: `Opens a checkout session at the card gateway and answers its redirect URL; the payment's address is in Location. ${idempotencyNote}`,
      status: 201,
      location: '/api/v1/estore/payments/{id}',
      data: shape(['order_id', 'payment_id', 'redirect_url'], {
        order_id: { type: 'string' },
        payment_id: { type: 'string' },
        redirect_url: { type: 'string' },
      }),
      errors: [
        E_ESTORE_NOT_FOUND,
        E_ORDER_NOT_PAYABLE,
        E_PROVIDER_NOT_CONFIGURED,
        E_PROVIDER_UNAVAILABLE,
        E_IDEMPOTENCY_MISMATCH,
        E_VALIDATION,
      ],
    })

  router
    .post('/orders/:id/cancel', async (ctx) => {
      const principal = await authorize(ctx, 'estore.orders.cancel')
      const input = await cancelInput.validate(ctx.request.body())
      respond(ctx, await cancelOrder(param(ctx, 'Order'), input, principal, requestId(ctx)))
    })
    .describe({
      summary: 'Cancel a placed order',
      description: 'Its owner or staff; the reserved stock and the voucher use go back.',
      body: cancelInput,
      data: order,
      errors: [E_ESTORE_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/orders/:id/confirm-payment', async (ctx) => {
      const principal = await authorize(ctx, 'estore.orders.manage')
      const input = await confirmInput.validate(ctx.request.body())
      const orderId = param(ctx, 'Order')
      respond(ctx, await confirmOfflinePayment(orderId, input, principal, requestId(ctx)))
    })
    .describe({
      summary: 'Confirm cash or a bank transfer received for a placed order',
      description:
        'Only for orders paid offline; the order becomes paid and gets its receipt number.',
      body: confirmInput,
      data: order,
      errors: [E_ESTORE_NOT_FOUND, E_ORDER_NOT_PAYABLE],
    })

  router
    .post('/orders/:id/fulfil', async (ctx) => {
      const principal = await authorize(ctx, 'estore.orders.manage')
      respond(ctx, await fulfilOrder(param(ctx, 'Order'), principal, requestId(ctx)))
    })
    .describe({
      summary: 'Mark a paid order as handed over',
      data: order,
      errors: [E_ESTORE_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/orders/:id/refunds', async (ctx) => {
      const principal = await authorize(ctx, 'estore.orders.manage')
      const key = idempotencyKey(ctx)
      const input = await refundInput.validate(ctx.request.body())
      const orderId = param(ctx, 'Order')
      respondOnce(
        ctx,
        await refundOrder(orderId, input, principal, key, requestId(ctx)),
        (refunded) => `/api/v1/estore/refunds/${refunded.refund.id}`
      )
    })
    .describe({
      summary: 'Refund part or all of a paid order',
      description: `Card payments are refunded at the gateway, account payments credit the order's ERP invoice (refused when the family already paid it), offline refunds are recorded. The order becomes refunded once refunds reach its total. Answers the refund and the order, the refund's address in Location. ${idempotencyNote}`,
      body: refundInput,
      status: 201,
      location: '/api/v1/estore/refunds/{id}',
      data: shape(['refund', 'order'], { refund: shape(['id', 'amount']), order }),
      errors: [
        E_ESTORE_NOT_FOUND,
        E_INVALID_TRANSITION,
        E_OVER_REFUND,
        E_OVER_CREDIT,
        E_CREDIT_SOURCE,
        E_PROVIDER_NOT_CONFIGURED,
        E_PROVIDER_UNAVAILABLE,
        E_IDEMPOTENCY_MISMATCH,
      ],
    })

  router
    .post('/variants/:id/stock', async (ctx) => {
      const principal = await authorize(ctx, 'estore.stock.adjust')
      const input = await adjustInput.validate(ctx.request.body())
      const variantId = param(ctx, 'Variant')
      respond(ctx, await adjustStock(variantId, input, principal, requestId(ctx)))
    })
    .describe({
      summary: 'Receive goods or write off stock of a variant',
      description:
        'A positive quantity receives goods, a negative one writes stock off (never below 0); the ledger records the movement. Answers the new balance (200: an action on the variant, the answer is not the movement).',
      body: adjustInput,
      data: stock,
      errors: [E_ESTORE_NOT_FOUND, E_OUT_OF_STOCK],
    })

  router
    .get('/variants/:id/stock-balance', async (ctx) => {
      await authorize(ctx, 'estore.stock_movements.read')
      respond(ctx, await stockBalance(param(ctx, 'Variant')))
    })
    .describe({
      summary: "A variant's stock next to the sum of its ledger",
      data: shape(['variant_id', 'sku', 'stock', 'ledger_total', 'movements'], {
        variant_id: { type: 'string' },
        sku: { type: 'string' },
        stock: { type: 'integer' },
        ledger_total: { type: 'integer' },
        movements: { type: 'integer' },
      }),
      errors: [E_ESTORE_NOT_FOUND],
    })

  router
    .get('/reports/sales', async (ctx) => {
      await authorize(ctx, 'estore.reports.read')
      respond(ctx, await salesReport(await salesQuery.validate(ctx.request.qs())))
    })
    .describe({
      summary: 'Sales by product and period, with refunds beside them',
      description:
        "Orders paid between from and to (YYYY-MM-DD, inclusive, in the tenant's time zone), per day, month or in total.",
      query: salesQuery,
      data: shape(['from', 'to', 'period', 'time_zone', 'rows', 'total', 'refunded'], {
        from: { type: 'string' },
        to: { type: 'string' },
        period: { type: 'string' },
        time_zone: { type: 'string' },
        rows: list,
        total: { type: 'integer' },
        refunded: { type: 'integer' },
      }),
    })

  router
    .get('/reports/low-stock', async (ctx) => {
      await authorize(ctx, 'estore.reports.read')
      respond(ctx, await lowStockReport())
    })
    .describe({
      summary: 'Active variants at or under their low-stock threshold',
      data: list,
    })

  // Authorised by the gateway's signature over the raw body alone.
  router
    .post('/webhooks/card', async (ctx) => {
      const rawBody = ctx.request.raw() ?? ''
      respond(ctx, await receiveCardWebhook(rawBody, ctx.request.header(SIGNATURE_HEADER)))
    })
    .describe({
      summary: 'Receive an event of the card gateway',
      description: `Authorised by the ${SIGNATURE_HEADER} header, the gateway's signature over the raw body, not by a user. An event is applied once: a redelivery answers duplicate: true.`,
      security: [],
      body: { type: 'object', required: ['id', 'type', 'data'] },
      data: shape(['event_id', 'duplicate', 'outcome'], {
        event_id: { type: 'string' },
        duplicate: { type: 'boolean' },
        outcome: { type: 'string' },
      }),
      errors: [E_WEBHOOK_SIGNATURE, E_WEBHOOK_STALE, E_VALIDATION],
    })
}
