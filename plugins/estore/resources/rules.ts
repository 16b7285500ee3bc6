import { type RowRule } from '@oryne/sdk'

/*
 * Row rules of the e-store. Customers (Students, Parents, Teachers) see the
 * active products offered to them and only their own orders; Staff, the
 * TenantAdmin and the platform have no rule and see every row.
 * `estore_product_audience` (migration 0002) is a view of (product_id,
 * user_id) pairs: products for everyone, for the user's classes (as a student
 * or as a guardian of one) or for one of the user's roles.
 */

export const CUSTOMER_ROLES = ['Student', 'Parent', 'Teacher'] as const

function forCustomers(rule: RowRule): Record<string, RowRule> {
  return Object.fromEntries(CUSTOMER_ROLES.map((role) => [role, rule]))
}

/** Active products offered to the principal. */
export const offeredProducts = forCustomers((principal, query) => {
  query
    .whereIn('id', {
      table: 'estore_product_audience',
      column: 'product_id',
      where: { user_id: principal.id },
    })
    .where('status', 'active')
})

/** Variants of products offered to the principal. */
export const offeredVariants = forCustomers((principal, query) => {
  query
    .whereIn('product_id', {
      table: 'estore_product_audience',
      column: 'product_id',
      where: { user_id: principal.id },
    })
    .where('active', true)
})

/** The principal's own orders. */
export const ownOrders = forCustomers((principal, query) => {
  query.where('user_id', principal.id)
})

/** Rows of the principal's own orders (items, payments, refunds). */
export const ownOrderRows = forCustomers((principal, query) => {
  query.whereIn('order_id', {
    table: 'estore_orders',
    column: 'id',
    where: { user_id: principal.id },
  })
})
