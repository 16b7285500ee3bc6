import { ownOrderRows } from './rules.js'
import { defineResource, field } from '@oryne/sdk'

export const VOUCHER_KINDS = ['percentage', 'fixed'] as const

/**
 * Discount codes (services/vouchers.ts applies them at checkout). Staff manage
 * them; customers never list them, they type one at checkout.
 */
export const vouchers = defineResource({
  name: 'vouchers',
  description:
    'A discount code: a percentage or a fixed amount off an order, valid between two instants, with usage limits per code and per buyer.',
  fields: {
    /** Stored upper case; customers may type it in any case. */
    code: field.string({
      required: true,
      unique: true,
      min: 3,
      max: 40,
      pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    }),
    description: field.string({ max: 300 }),
    kind: field.enum(VOUCHER_KINDS, { required: true }),
    /** Percent off (1-100) for `percentage`; minor units off for `fixed`. */
    value: field.integer({ required: true, min: 1, max: 100_000_000 }),
    starts_at: field.datetime({ description: 'Valid from this instant (none: at once)' }),
    ends_at: field.datetime({ description: 'Valid until this instant, excluded (none: no end)' }),
    max_uses: field.integer({
      min: 1,
      max: 100_000_000,
      description: 'Orders in all (none: no limit)',
    }),
    max_uses_per_buyer: field.integer({
      min: 1,
      max: 100_000,
      description: 'Orders per buyer (none: no limit)',
    }),
    min_subtotal: field.integer({
      min: 0,
      max: 100_000_000,
      default: 0,
      description: 'Smallest net subtotal (minor units) it applies to',
    }),
    active: field.boolean({ default: true }),
    uses: field.integer({
      readOnly: true,
      default: 0,
      description: 'Orders that use it now (a cancelled or expired order gives its use back)',
    }),
  },
  defaultSort: 'code',
})

/** One use of a voucher: by an order, until the order is cancelled. */
export const voucherRedemptions = defineResource({
  name: 'voucher_redemptions',
  description:
    'An order that used a voucher, the buyer and the discount; released when the order is cancelled.',
  permissions: { create: false, update: false, delete: false },
  fields: {
    voucher_id: field.reference('vouchers', {
      as: 'voucher',
      readOnly: true,
      onDelete: 'restrict',
    }),
    order_id: field.reference('orders', {
      as: 'order',
      readOnly: true,
      unique: true,
      onDelete: 'cascade',
    }),
    user_id: field.reference('core.users', { as: 'user', readOnly: true, onDelete: 'restrict' }),
    discount: field.integer({ readOnly: true }),
    released_at: field.datetime({ readOnly: true }),
  },
  rowRules: ownOrderRows,
  customFields: false,
  defaultSort: '-id',
})
