import { notify, withTenantDb, type NotificationTemplate, type OryneEvent } from '@oryne/sdk'

/** Templates the e-store sends through the notification service (tenants may override their text). */
export const estoreNotifications: Record<string, NotificationTemplate> = {
  low_stock: {
    channels: ['email', 'in_app'],
    subject: 'Low stock: {{sku}}',
    body: 'Only {{stock}} left of {{sku}} (alert threshold {{threshold}}). Time to reorder.',
    description: 'A variant fell to its low-stock threshold (sent to staff and admins)',
  },
  order_paid: {
    channels: ['email', 'in_app'],
    subject: 'Payment received: order {{order_id}}',
    body: 'We received your payment for order {{order_id}}. Receipt {{receipt_no}}.',
    description: 'An order was paid (sent to the customer)',
  },
}

/** `estore.stock.low`: tells the people who manage the catalogue. */
export async function notifyLowStock(event: OryneEvent) {
  const payload = event.payload as {
    variant_id: string
    sku: string
    stock: number
    threshold: number
  }
  const managers = await withTenantDb((trx) =>
    trx
      .from('user_roles as ur')
      .join('roles as r', 'r.id', 'ur.role_id')
      .whereIn('r.name', ['TenantAdmin', 'Staff'])
      .distinct('ur.user_id')
  )
  if (!managers.length) return
  await notify({
    userIds: managers.map((row) => String(row.user_id)),
    template: 'estore.low_stock',
    data: { sku: payload.sku, stock: payload.stock, threshold: payload.threshold },
    dedupKey: `${payload.variant_id}:${payload.stock}`,
  })
}

/** `estore.order.paid`: the customer's receipt notice. */
export async function notifyOrderPaid(event: OryneEvent) {
  const payload = event.payload as { order_id: string; user_id: string; receipt_no: string }
  await notify({
    userIds: [payload.user_id],
    template: 'estore.order_paid',
    data: { order_id: payload.order_id, receipt_no: payload.receipt_no },
    dedupKey: payload.order_id,
  })
}
