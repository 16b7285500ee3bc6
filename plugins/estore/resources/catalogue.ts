import { offeredProducts, offeredVariants } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const
export const AUDIENCES = ['all', 'classes', 'roles'] as const

/** The catalogue: categories, products and their variants (size, colour, SKU, price, stock). */
export const categories = defineResource({
  name: 'categories',
  description: 'A shelf of the store (uniforms, books, stationery).',
  fields: {
    name: field.string({ required: true, unique: true, max: 120, search: true }),
    description: field.text({ max: 5_000 }),
    position: field.integer({ min: 0, max: 10_000, default: 0 }),
  },
  defaultSort: 'position',
})

export const products = defineResource({
  name: 'products',
  description:
    'A product offered to everyone, to some ERP classes or to some roles; customers see active ones offered to them.',
  fields: {
    name: field.string({ required: true, max: 200, search: true }),
    description: field.text({ max: 20_000, search: true }),
    category_id: field.reference('categories', { as: 'category', onDelete: 'set null' }),
    /** Tax on top of the net prices of the variants, in basis points (1800 = 18 %). */
    tax_rate_bp: field.integer({ min: 0, max: 10_000, default: 0 }),
    audience: field.enum(AUDIENCES, { default: 'all' }),
    /** ERP class ids (strings) when the audience is `classes`. */
    audience_class_ids: field.json({
      description: 'ERP class ids, for audience "classes"',
    }),
    /** Role names when the audience is `roles`. */
    audience_roles: field.json({ description: 'Role names, for audience "roles"' }),
    status: field.enum(PRODUCT_STATUSES, { default: 'draft' }),
  },
  rowRules: offeredProducts,
  defaultSort: 'name',
})

export const variants = defineResource({
  name: 'variants',
  description:
    'One sellable form of a product (size, colour) with its SKU, net price and stock; stock changes only through the ledger.',
  fields: {
    product_id: field.reference('products', {
      required: true,
      as: 'product',
      onDelete: 'restrict',
    }),
    sku: field.string({
      required: true,
      unique: true,
      max: 64,
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      search: true,
    }),
    size: field.string({ max: 40 }),
    colour: field.string({ max: 40 }),
    /** Net unit price in minor units. */
    price: field.integer({ required: true, min: 0, max: 100_000_000 }),
    stock: field.integer({
      readOnly: true,
      default: 0,
      description: 'Units available; changed by checkouts, releases and stock adjustments.',
    }),
    low_stock_threshold: field.integer({ min: 0, max: 1_000_000, default: 0 }),
    active: field.boolean({ default: true }),
  },
  rowRules: offeredVariants,
  defaultSort: 'sku',
})
