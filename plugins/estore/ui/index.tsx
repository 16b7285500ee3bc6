import { useState } from 'preact/hooks'
import {
  api,
  definePluginUi,
  Empty,
  Link,
  Loading,
  navigate,
  Notice,
  Page,
  Problem,
  useAction,
  useI18n,
  useLoad,
  type PageProps,
} from '@oryne/web'

type Product = { id: string; name: string; description: string | null; tax_rate_bp: number }
type Variant = {
  id: string
  product_id: string
  sku: string
  size: string | null
  colour: string | null
  price: number
  stock: number
  active: boolean
}
type CartLine = {
  variant_id: string
  name: string
  sku: string
  size: string | null
  colour: string | null
  quantity: number
  total: number
}
type Cart = { items: CartLine[]; subtotal: number; tax: number; total: number }
type Order = {
  id: string
  status: string
  payment_method: string
  total: number
  receipt_no: string | null
  created_at: string
}
type OrderItem = { id: string; name: string; sku: string; quantity: number; total: number }

async function catalogue() {
  const products = await api<Product[]>('/api/v1/estore/products', {
    query: { 'filter[status]': 'active', 'per_page': 100, 'sort': 'name' },
  })
  const variants = products.length
    ? await api<Variant[]>('/api/v1/estore/variants', {
        query: {
          'filter[product_id][in]': products.map((p) => p.id).join(','),
          'filter[active]': true,
          'per_page': 100,
        },
      })
    : []
  return products.map((product) => ({
    product,
    variants: variants.filter((v) => String(v.product_id) === String(product.id)),
  }))
}

const cartOf = () => api<Cart>('/api/v1/estore/cart')

function variantLabel(v: { sku: string; size: string | null; colour: string | null }) {
  return [v.size, v.colour].filter(Boolean).join(' · ') || v.sku
}

/** The shop: what is offered to the student, their cart, and checkout. */
function Shop() {
  const i18n = useI18n()
  const { t } = i18n
  const products = useLoad(catalogue, [])
  const cart = useLoad(cartOf, [])
  const action = useAction()
  const [method, setMethod] = useState<'card' | 'offline'>('card')
  const [done, setDone] = useState<string | null>(null)

  async function setQuantity(variantId: string, quantity: number, name: string) {
    setDone(null)
    // Busy until the cart is read again: a second press counts from the new quantity, not the old.
    const next = await action.run(async () => {
      const answer = await api<Cart>('/api/v1/estore/cart/items', {
        method: 'PUT',
        body: { variant_id: String(variantId), quantity },
      })
      await cart.reload()
      return answer
    })
    if (next)
      setDone(
        quantity ? t('estore.cart.set', { name, quantity }) : t('estore.cart.removed', { name })
      )
  }

  async function checkout(event: Event) {
    event.preventDefault()
    const order = await action.run(() =>
      api<Order>('/api/v1/estore/checkout', { method: 'POST', body: { payment_method: method } })
    )
    if (!order) return
    if (method === 'card') {
      // Straight on to the gateway, which brings the customer back to the order's page.
      const session = await action.run(() => openCardSession(order.id))
      if (session) return window.location.assign(session.redirect_url)
    }
    navigate(`/estore/orders/${order.id}`)
  }

  const inCart = (variantId: string) =>
    cart.data?.items.find((line) => String(line.variant_id) === String(variantId))?.quantity ?? 0

  return (
    <Page
      title={t('estore.nav.shop')}
      actions={<Link to="/estore/orders">{t('estore.nav.orders')}</Link>}
    >
      <Problem error={products.error ?? cart.error} />
      <Problem error={action.error} />
      <Notice text={done} />
      <div class="campus-split">
        <section aria-labelledby="shop-products">
          <h2 id="shop-products">{t('estore.products')}</h2>
          {!products.data ? (
            <Loading what={t('estore.products')} />
          ) : products.data.length === 0 ? (
            <Empty text={t('estore.noProducts')} />
          ) : (
            <ul class="campus-cards">
              {products.data.map(({ product, variants }) => (
                <li key={product.id}>
                  <article aria-labelledby={`product-${product.id}`}>
                    <h3 id={`product-${product.id}`}>{product.name}</h3>
                    {product.description ? <p class="muted">{product.description}</p> : null}
                    <ul class="campus-plain">
                      {variants.map((variant) => {
                        const name = `${product.name} (${variantLabel(variant)})`
                        return (
                          <li key={variant.id} class="campus-row">
                            <span>
                              {variantLabel(variant)} · {i18n.money(variant.price)}
                              {variant.stock <= 0 ? ` · ${t('estore.soldOut')}` : ''}
                            </span>
                            <button
                              type="button"
                              class="secondary"
                              disabled={action.busy || variant.stock <= 0}
                              aria-label={t('estore.addTitle', { name })}
                              onClick={() => setQuantity(variant.id, inCart(variant.id) + 1, name)}
                            >
                              {t('estore.add')}
                            </button>
                          </li>
                        )
                      })}
                    </ul>
                  </article>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="shop-cart">
          <h2 id="shop-cart">{t('estore.cart')}</h2>
          {!cart.data ? (
            <Loading what={t('estore.cart')} />
          ) : cart.data.items.length === 0 ? (
            <Empty text={t('estore.cart.empty')} />
          ) : (
            <form onSubmit={checkout}>
              <ul class="campus-plain">
                {cart.data.items.map((line) => {
                  const name = `${line.name} (${variantLabel(line)})`
                  return (
                    <li key={line.variant_id} class="campus-row">
                      <span>
                        {t('estore.cart.line', { quantity: line.quantity, name })} ·{' '}
                        {i18n.money(line.total)}
                      </span>
                      <button
                        type="button"
                        class="secondary outline"
                        disabled={action.busy}
                        aria-label={t('estore.removeTitle', { name })}
                        onClick={() => setQuantity(line.variant_id, 0, name)}
                      >
                        {t('estore.remove')}
                      </button>
                    </li>
                  )
                })}
              </ul>
              <p>
                {t('estore.cart.tax', { tax: i18n.money(cart.data.tax) })}{' '}
                <strong>{t('estore.cart.total', { total: i18n.money(cart.data.total) })}</strong>
              </p>
              <fieldset>
                <legend>{t('estore.method')}</legend>
                {(['card', 'offline'] as const).map((value) => (
                  <label key={value}>
                    <input
                      type="radio"
                      name="payment-method"
                      value={value}
                      checked={method === value}
                      onChange={() => setMethod(value)}
                    />
                    {t(`estore.method.${value}`)}
                  </label>
                ))}
              </fieldset>
              <button type="submit" disabled={action.busy}>
                {t('estore.checkout')}
              </button>
            </form>
          )}
        </section>
      </div>
    </Page>
  )
}

/** A card session for a placed order; the server answers the order's open one again to a second press. */
function openCardSession(orderId: string) {
  return api<{ redirect_url: string }>(`/api/v1/estore/orders/${orderId}/card-session`, {
    method: 'POST',
  })
}

async function orderOf(id: string) {
  const [order, items] = await Promise.all([
    api<Order>(`/api/v1/estore/orders/${id}`),
    api<OrderItem[]>('/api/v1/estore/order_items', {
      query: { 'filter[order_id]': id, 'per_page': 100 },
    }),
  ])
  return { order, items }
}

/** One order: its state, its lines, and paying it by card while it is placed. */
function OrderPage(props: PageProps) {
  const i18n = useI18n()
  const { t } = i18n
  const id = props.params.id
  const load = useLoad(() => orderOf(id), [id])
  const action = useAction()

  /** To the gateway's page in this tab; the gateway brings the customer back here. */
  async function payByCard() {
    const session = await action.run(() => openCardSession(id))
    if (session) window.location.assign(session.redirect_url)
  }

  const data = load.data
  return (
    <Page
      title={t('estore.order.title', { id })}
      actions={<Link to="/estore/shop">{t('estore.nav.shop')}</Link>}
    >
      <Problem error={load.error} />
      <Problem error={action.error} />
      {!data ? (
        <Loading what={t('estore.order.title', { id })} />
      ) : (
        <>
          <p role="status" class="campus-state">
            {t(`estore.status.${data.order.status}`)}
            {data.order.receipt_no
              ? ` · ${t('estore.receipt', { no: data.order.receipt_no })}`
              : ''}
          </p>
          <ul class="campus-plain">
            {data.items.map((item) => (
              <li key={item.id} class="campus-row">
                <span>{t('estore.cart.line', { quantity: item.quantity, name: item.name })}</span>
                <span>{i18n.money(item.total)}</span>
              </li>
            ))}
          </ul>
          <p>
            <strong>{t('estore.cart.total', { total: i18n.money(data.order.total) })}</strong> ·{' '}
            {t(`estore.method.${data.order.payment_method}`)}
          </p>
          {data.order.status === 'placed' && data.order.payment_method === 'card' ? (
            <button
              type="button"
              aria-busy={action.busy}
              disabled={action.busy}
              onClick={payByCard}
            >
              {t('estore.order.pay')}
            </button>
          ) : null}
          {data.order.status === 'placed' && data.order.payment_method === 'offline' ? (
            <p>{t('estore.order.payOffline')}</p>
          ) : null}
          <button type="button" class="secondary" disabled={load.loading} onClick={load.reload}>
            {t('estore.order.refresh')}
          </button>
        </>
      )}
    </Page>
  )
}

const myOrders = () =>
  api<Order[]>('/api/v1/estore/orders', { query: { sort: '-created_at', per_page: 50 } })

/** The student's orders, newest first. */
function Orders() {
  const i18n = useI18n()
  const { t } = i18n
  const load = useLoad(myOrders, [])
  return (
    <Page
      title={t('estore.nav.orders')}
      actions={<Link to="/estore/shop">{t('estore.nav.shop')}</Link>}
    >
      <Problem error={load.error} />
      {!load.data ? (
        <Loading what={t('estore.nav.orders')} />
      ) : load.data.length === 0 ? (
        <Empty text={t('estore.noOrders')} />
      ) : (
        <ul>
          {load.data.map((order) => (
            <li key={order.id}>
              <Link to={`/estore/orders/${order.id}`}>
                {t('estore.order.title', { id: order.id })}
              </Link>{' '}
              · {i18n.date(order.created_at)} · {i18n.money(order.total)} ·{' '}
              {t(`estore.status.${order.status}`)}
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}

export default definePluginUi({
  pages: { 'shop': Shop, 'orders': Orders, 'orders/:id': OrderPage },
})
