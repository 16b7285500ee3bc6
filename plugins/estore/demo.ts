import { moveStock } from './services/ledger.js'
import { nextReceiptNo } from './services/receipts.js'
import { taxOf } from './services/cart.js'
import { fromErp } from '../erp/index.js'
import { insertRows, type DemoContext, type Trx } from '@oryne/sdk'

type Demo = {
  name: string
  category: string
  tax_rate_bp: number
  audience?: { classes?: boolean; roles?: string[] }
  variants: Array<{ sku: string; size?: string; colour?: string; price: number; stock: number }>
}

const CATALOGUE: Demo[] = [
  {
    name: 'School polo shirt',
    category: 'Uniforms',
    tax_rate_bp: 500,
    variants: ['S', 'M', 'L'].flatMap((size) =>
      ['White', 'Navy'].map((colour) => ({
        sku: `POLO-${size}-${colour.toUpperCase()}`,
        size,
        colour,
        price: 1_800,
        stock: size === 'L' ? 4 : 40,
      }))
    ),
  },
  {
    name: 'School hoodie',
    category: 'Uniforms',
    tax_rate_bp: 500,
    variants: ['S', 'M', 'L'].map((size) => ({
      sku: `HOODIE-${size}`,
      size,
      colour: 'Navy',
      price: 3_500,
      stock: 20,
    })),
  },
  {
    name: 'Mathematics workbook',
    category: 'Books',
    tax_rate_bp: 0,
    audience: { classes: true },
    variants: [{ sku: 'BOOK-MATH-WB', price: 1_200, stock: 60 }],
  },
  {
    name: 'Teacher planner',
    category: 'Stationery',
    tax_rate_bp: 1_800,
    audience: { roles: ['Teacher'] },
    variants: [{ sku: 'PLANNER-A4', price: 900, stock: 25 }],
  },
  {
    name: 'Ballpoint pens (pack of 10)',
    category: 'Stationery',
    tax_rate_bp: 1_800,
    variants: [
      { sku: 'PENS-BLUE', colour: 'Blue', price: 450, stock: 100 },
      { sku: 'PENS-BLACK', colour: 'Black', price: 450, stock: 100 },
    ],
  },
]

/**
 * The e-store of the demo school: three shelves, five products (one for the
 * first ERP class only, one for teachers only), stock received through the
 * ledger, and two orders of the first demo student: one paid, one awaiting
 * payment at the office.
 */
export async function seedEstoreDemo(trx: Trx, people: DemoContext) {
  const shelves = await insertRows(
    trx,
    'estore_categories',
    ['Uniforms', 'Books', 'Stationery'].map((name, position) => ({ name, position }))
  )
  const shelf = new Map(shelves.map((row) => [row.name as string, row.id]))
  const firstClass = await fromErp(trx, 'classes', 'c').orderBy('c.id').first()
  const variants = new Map<string, Record<string, any>>()
  for (const item of CATALOGUE) {
    const classes = item.audience?.classes && firstClass ? [String(firstClass.id)] : null
    const [product] = await insertRows(trx, 'estore_products', [
      {
        name: item.name,
        description: `${item.name} from the school shop.`,
        category_id: shelf.get(item.category),
        tax_rate_bp: item.tax_rate_bp,
        audience: classes ? 'classes' : item.audience?.roles ? 'roles' : 'all',
        audience_class_ids: classes ? JSON.stringify(classes) : null,
        audience_roles: item.audience?.roles ? JSON.stringify(item.audience.roles) : null,
        status: 'active',
      },
    ])
    const rows = await insertRows(
      trx,
      'estore_variants',
      item.variants.map((variant) => ({
        product_id: product.id,
        sku: variant.sku,
        size: variant.size ?? null,
        colour: variant.colour ?? null,
        price: variant.price,
        stock: 0,
        low_stock_threshold: 5,
        active: true,
      }))
    )
    for (const [i, row] of rows.entries()) {
      await moveStock(trx, {
        variantId: String(row.id),
        quantity: item.variants[i].stock,
        reason: 'adjustment',
        note: 'opening stock',
        actor: 'demo',
      })
      variants.set(row.sku, { ...row, product, name: item.name, tax_rate_bp: item.tax_rate_bp })
    }
  }

  const buyer = people.students[0]
  if (!buyer) return { products: CATALOGUE.length, orders: 0 }
  const order = async (sku: string, quantity: number, paid: boolean) => {
    const variant = variants.get(sku)!
    const net = Number(variant.price) * quantity
    const tax = taxOf(net, variant.tax_rate_bp)
    const [placed] = await insertRows(trx, 'estore_orders', [
      {
        user_id: buyer.id,
        status: paid ? 'paid' : 'placed',
        payment_method: 'offline',
        subtotal: net,
        tax,
        total: net + tax,
        refunded: 0,
        reserved_until: paid ? null : new Date(Date.now() + 2 * 86_400_000),
        paid_at: paid ? new Date() : null,
        receipt_no: paid ? await nextReceiptNo(trx) : null,
      },
    ])
    await insertRows(trx, 'estore_order_items', [
      {
        order_id: placed.id,
        product_id: variant.product.id,
        variant_id: variant.id,
        name: [variant.name, variant.size, variant.colour].filter(Boolean).join(' / '),
        sku,
        quantity,
        unit_price: variant.price,
        tax,
        total: net + tax,
      },
    ])
    await moveStock(trx, {
      variantId: String(variant.id),
      quantity: -quantity,
      reason: 'reservation',
      orderId: String(placed.id),
      actor: 'demo',
    })
    if (paid) {
      await insertRows(trx, 'estore_payments', [
        { order_id: placed.id, provider: 'offline', status: 'succeeded', amount: net + tax },
      ])
    }
  }
  await order('POLO-M-NAVY', 2, true)
  await order('PENS-BLUE', 1, false)
  return { products: CATALOGUE.length, orders: 2 }
}
