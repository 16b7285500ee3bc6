import { ownOrderRows, ownOrders } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const ORDER_STATUSES = ['placed', 'paid', 'fulfilled', 'cancelled', 'refunded'] as const
export const PAYMENT_METHODS = ['offline', 'card', 'account'] as const
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed'] as const
export const MOVEMENT_REASONS = ['adjustment', 'reservation', 'release'] as const

/** Written by the workflows only (services/): the CRUD API reads them. */
const READ_ONLY = { create: false, update: false, delete: false } as const

export const orders = defineResource({
  name: 'orders',
  description:
    "A customer's order: placed (stock reserved) -> paid -> fulfilled, or cancelled, or refunded.",
  permissions: READ_ONLY,
  fields: {
    user_id: field.reference('core.users', { as: 'user', readOnly: true, onDelete: 'restrict' }),
    status: field.enum(ORDER_STATUSES, { readOnly: true, default: 'placed' }),
    payment_method: field.enum(PAYMENT_METHODS, { readOnly: true }),
    subtotal: field.integer({ readOnly: true, default: 0 }),
    tax: field.integer({ readOnly: true, default: 0 }),
    total: field.integer({ readOnly: true, default: 0 }),
    refunded: field.integer({ readOnly: true, default: 0 }),
    reserved_until: field.datetime({ readOnly: true }),
    paid_at: field.datetime({ readOnly: true, index: true }),
    receipt_no: field.string({ readOnly: true, max: 32 }),
    student_id: field.reference('erp.students', {
      as: 'student',
      readOnly: true,
      onDelete: 'set null',
    }),
    invoice_id: field.reference('erp.invoices', {
      as: 'invoice',
      readOnly: true,
      onDelete: 'set null',
    }),
    cancel_reason: field.string({ readOnly: true, max: 200 }),
    /** Taken off the subtotal by a voucher (before tax): total = subtotal - discount + tax. */
    discount: field.integer({ readOnly: true, default: 0 }),
    voucher_id: field.reference('vouchers', {
      as: 'voucher',
      readOnly: true,
      onDelete: 'restrict',
    }),
  },
  rowRules: ownOrders,
  customFields: false,
  defaultSort: '-created_at',
})

export const orderItems = defineResource({
  name: 'order_items',
  description: 'A line of an order, priced when it was placed.',
  permissions: READ_ONLY,
  fields: {
    order_id: field.reference('orders', { as: 'order', readOnly: true, onDelete: 'cascade' }),
    product_id: field.reference('products', {
      as: 'product',
      readOnly: true,
      onDelete: 'restrict',
    }),
    variant_id: field.reference('variants', {
      as: 'variant',
      readOnly: true,
      onDelete: 'restrict',
    }),
    name: field.string({ readOnly: true, max: 300 }),
    sku: field.string({ readOnly: true, max: 64 }),
    quantity: field.integer({ readOnly: true }),
    unit_price: field.integer({ readOnly: true }),
    tax: field.integer({ readOnly: true }),
    total: field.integer({ readOnly: true }),
    /** The line's share of the order's voucher discount (total = quantity x unit_price - discount + tax). */
    discount: field.integer({ readOnly: true, default: 0 }),
  },
  rowRules: ownOrderRows,
  customFields: false,
  defaultSort: 'id',
})

export const payments = defineResource({
  name: 'payments',
  description: 'A payment attempt of an order through a provider (offline, card, account).',
  permissions: READ_ONLY,
  fields: {
    order_id: field.reference('orders', { as: 'order', readOnly: true, onDelete: 'cascade' }),
    provider: field.enum(PAYMENT_METHODS, { readOnly: true }),
    status: field.enum(PAYMENT_STATUSES, { readOnly: true, default: 'pending' }),
    amount: field.integer({ readOnly: true }),
    external_id: field.string({ readOnly: true, max: 200, index: true }),
    redirect_url: field.string({ readOnly: true, max: 2000 }),
    reference: field.string({ readOnly: true, max: 200 }),
  },
  rowRules: ownOrderRows,
  customFields: false,
  defaultSort: '-created_at',
})

export const refunds = defineResource({
  name: 'refunds',
  description: 'Money given back on a paid order, in part or in full.',
  permissions: READ_ONLY,
  fields: {
    order_id: field.reference('orders', { as: 'order', readOnly: true, onDelete: 'cascade' }),
    amount: field.integer({ readOnly: true }),
    reason: field.string({ readOnly: true, max: 500 }),
    external_id: field.string({ readOnly: true, max: 200 }),
  },
  rowRules: ownOrderRows,
  customFields: false,
  defaultSort: '-created_at',
})

export const stockMovements = defineResource({
  name: 'stock_movements',
  description:
    "The stock ledger: every change of a variant's stock with the balance after it (adjustments, reservations, releases).",
  permissions: READ_ONLY,
  fields: {
    variant_id: field.reference('variants', {
      as: 'variant',
      readOnly: true,
      onDelete: 'restrict',
    }),
    quantity: field.integer({ readOnly: true, description: 'Signed change of the stock' }),
    balance: field.integer({ readOnly: true, description: 'Stock after this movement' }),
    reason: field.enum(MOVEMENT_REASONS, { readOnly: true }),
    order_id: field.reference('orders', { as: 'order', readOnly: true, onDelete: 'restrict' }),
    note: field.string({ readOnly: true, max: 300 }),
    actor: field.string({ readOnly: true, max: 80 }),
  },
  customFields: false,
  defaultSort: '-id',
})
