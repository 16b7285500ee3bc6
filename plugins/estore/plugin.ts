import { estoreSettingsDeclaration } from './settings.js'
import { seedEstoreDemo } from './demo.js'
import { categories, products, variants } from './resources/catalogue.js'
import { orderItems, orders, payments, refunds, stockMovements } from './resources/orders.js'
import { voucherRedemptions, vouchers } from './resources/vouchers.js'
import { productHooks } from './services/catalogue.js'
import { voucherHooks } from './services/vouchers.js'
import { estoreRoutes } from './routes.js'
import { estoreNotifications, notifyLowStock, notifyOrderPaid } from './notifications.js'
import { RELEASE_EVERY_MS, releaseReservationsJob } from './jobs/release_reservations.js'
import { crudPermissions, definePlugin, type ResourceDefinition } from '@oryne/sdk'

const RESOURCES: ResourceDefinition[] = [
  categories,
  { ...products, hooks: productHooks },
  variants,
  orders,
  orderItems,
  payments,
  refunds,
  stockMovements,
  { ...vouchers, hooks: voucherHooks },
  voucherRedemptions,
]

const CATALOGUE = ['categories', 'products', 'variants']
const read = (...names: string[]) => names.map((name) => `estore.${name}.read`)

/** What every customer may do: browse what is offered to them, buy, pay, cancel their unpaid orders. */
const SHOPPING = [
  ...read(...CATALOGUE, 'orders', 'order_items', 'payments', 'refunds', 'voucher_redemptions'),
  'estore.cart.use',
  'estore.orders.place',
  'estore.orders.cancel',
]

/**
 * E-store: a catalogue of products with variants and a stock ledger, carts,
 * checkout that reserves stock atomically, vouchers (percentage or fixed,
 * with validity dates and usage limits), payments (offline, card gateway
 * with signed webhooks, or the student's ERP account), refunds, receipts and
 * reports. Customers see what is offered to them and their own orders
 * (resources/rules.ts); Staff run the shop.
 */
export default definePlugin({
  name: 'estore',
  version: '1.1.0',
  host: '^0.1.0',
  description:
    'School shop: catalogue with variants and stock ledger, cart and checkout with vouchers, card/offline/account payments',
  dependencies: { erp: '^1.0.0' },
  permissions: [
    ...crudPermissions('estore', RESOURCES),
    'estore.cart.use',
    'estore.orders.place',
    'estore.orders.cancel',
    'estore.orders.manage',
    'estore.stock.adjust',
    'estore.reports.read',
  ],
  grants: {
    TenantAdmin: ['estore.*'],
    Staff: [
      ...crudPermissions('estore', RESOURCES),
      ...SHOPPING,
      'estore.orders.manage',
      'estore.stock.adjust',
      'estore.reports.read',
    ],
    Teacher: SHOPPING,
    Student: SHOPPING,
    Parent: SHOPPING,
  },
  settings: estoreSettingsDeclaration,
  demo: seedEstoreDemo,
  schedules: [{ job: releaseReservationsJob, every: RELEASE_EVERY_MS }],
  resources: RESOURCES,
  routes: estoreRoutes,
  notifications: estoreNotifications,
  events: {
    'estore.stock.low': notifyLowStock,
    'estore.order.paid': notifyOrderPaid,
  },
  // The web app (ui/index.tsx): the shop with cart and checkout, and the buyer's orders.
  ui: {
    nav: [
      {
        id: 'shop',
        label: 'estore.nav.shop',
        path: '/estore/shop',
        permissions: ['estore.orders.place'],
        section: 'daily',
      },
      {
        id: 'orders',
        label: 'estore.nav.orders',
        path: '/estore/orders',
        permissions: ['estore.orders.place'],
      },
    ],
  },
})
