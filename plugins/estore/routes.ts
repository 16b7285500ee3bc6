import { E_ESTORE_NOT_FOUND } from './errors.js'
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
import { invalidField } from './services/validation.js'
import { authorize, respond, type HttpContext, type Router } from '@oryne/sdk'

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
function param(ctx: HttpContext, name: string, what: string): string {
  const value = String(ctx.params[name])
  if (!/^\d{1,18}$/.test(value)) throw new E_ESTORE_NOT_FOUND([what, value.slice(0, 40)])
  return value
}

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

/** Answers an idempotent result; a replay says so in a header. */
function respondOnce(
  ctx: HttpContext,
  result: { status: number; body: unknown; replayed: boolean }
) {
  if (result.replayed) ctx.response.header('Idempotent-Replayed', 'true')
  respond(ctx, result.body, { status: result.status })
}

/** The e-store workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function estoreRoutes(router: Router) {
  router.get('/cart', async (ctx) => {
    respond(ctx, await getCart(await authorize(ctx, 'estore.cart.use')))
  })

  router.put('/cart/items', async (ctx) => {
    const principal = await authorize(ctx, 'estore.cart.use')
    const input = await addCartItemInput.validate(ctx.request.body())
    respond(ctx, await setCartItem(principal, input.variant_id, input.quantity))
  })

  router.delete('/cart', async (ctx) => {
    respond(ctx, await clearCart(await authorize(ctx, 'estore.cart.use')))
  })

  router.post('/checkout', async (ctx) => {
    const principal = await authorize(ctx, 'estore.orders.place')
    const key = idempotencyKey(ctx)
    const input = await checkoutInput.validate(ctx.request.body())
    respondOnce(ctx, await checkout(principal, input, key, requestId(ctx)))
  })

  router.post('/orders/:id/card-session', async (ctx) => {
    const principal = await authorize(ctx, 'estore.orders.place')
    const key = idempotencyKey(ctx)
    respondOnce(ctx, await startCardPayment(param(ctx, 'id', 'Order'), principal, key))
  })

  router.post('/orders/:id/cancel', async (ctx) => {
    const principal = await authorize(ctx, 'estore.orders.cancel')
    const input = await cancelInput.validate(ctx.request.body())
    respond(ctx, await cancelOrder(param(ctx, 'id', 'Order'), input, principal, requestId(ctx)))
  })

  router.post('/orders/:id/confirm-payment', async (ctx) => {
    const principal = await authorize(ctx, 'estore.orders.manage')
    const input = await confirmInput.validate(ctx.request.body())
    const orderId = param(ctx, 'id', 'Order')
    respond(ctx, await confirmOfflinePayment(orderId, input, principal, requestId(ctx)))
  })

  router.post('/orders/:id/fulfil', async (ctx) => {
    const principal = await authorize(ctx, 'estore.orders.manage')
    respond(ctx, await fulfilOrder(param(ctx, 'id', 'Order'), principal, requestId(ctx)))
  })

  router.post('/orders/:id/refunds', async (ctx) => {
    const principal = await authorize(ctx, 'estore.orders.manage')
    const key = idempotencyKey(ctx)
    const input = await refundInput.validate(ctx.request.body())
    const orderId = param(ctx, 'id', 'Order')
    respondOnce(ctx, await refundOrder(orderId, input, principal, key, requestId(ctx)))
  })

  router.post('/variants/:id/stock', async (ctx) => {
    const principal = await authorize(ctx, 'estore.stock.adjust')
    const input = await adjustInput.validate(ctx.request.body())
    const variantId = param(ctx, 'id', 'Variant')
    respond(ctx, await adjustStock(variantId, input, principal, requestId(ctx)), { status: 201 })
  })

  router.get('/variants/:id/stock-balance', async (ctx) => {
    await authorize(ctx, 'estore.stock_movements.read')
    respond(ctx, await stockBalance(param(ctx, 'id', 'Variant')))
  })

  router.get('/reports/sales', async (ctx) => {
    await authorize(ctx, 'estore.reports.read')
    respond(ctx, await salesReport(await salesQuery.validate(ctx.request.qs())))
  })

  router.get('/reports/low-stock', async (ctx) => {
    await authorize(ctx, 'estore.reports.read')
    respond(ctx, await lowStockReport())
  })

  // Authorised by the gateway's signature over the raw body alone.
  router.post('/webhooks/card', async (ctx) => {
    const rawBody = ctx.request.raw() ?? ''
    respond(ctx, await receiveCardWebhook(rawBody, ctx.request.header(SIGNATURE_HEADER)))
  })
}
