import { cancelPlaced } from '../services/orders.js'
import { defineJob, withTenantDb } from '@oryne/sdk'

/** How often each tenant's sweep runs: stock is back at most a minute after a reservation ends. */
export const RELEASE_EVERY_MS = 60_000

/**
 * Cancels placed orders whose reservation has ended, giving their stock back
 * through the ledger (`release` movements) and emitting
 * `estore.order.cancelled`. Orders another sweep or a payment holds are
 * skipped (SKIP LOCKED), so overlapping runs never release twice.
 */
export async function releaseExpiredReservations(now = new Date()) {
  return withTenantDb(async (trx) => {
    const expired = await trx
      .from('estore_orders')
      .where('status', 'placed')
      .whereNotNull('reserved_until')
      .where('reserved_until', '<=', now)
      .orderBy('id')
      .limit(500)
      .forUpdate()
      .skipLocked()
    for (const order of expired) {
      await cancelPlaced(trx, order, { reason: 'reservation expired', actor: 'estore:sweep' })
    }
    return { released: expired.length, order_ids: expired.map((order) => String(order.id)) }
  })
}

/** The repeatable job: one schedule per tenant, run in that tenant's context by the worker. */
export const releaseReservationsJob = defineJob<Record<string, never>>({
  name: 'estore.release_reservations',
  queue: 'default',
  attempts: 3,
  backoff: 30_000,
  async handle(_data, context) {
    if (!context.tenantId) {
      throw new TypeError(
        'estore.release_reservations runs for one tenant; schedule it with tenantId'
      )
    }
    return releaseExpiredReservations()
  },
})
