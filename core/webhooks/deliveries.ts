import { withTenantDb } from '../tenancy/tenant_db.js'
import { redeliver } from './delivery.js'
import { findEndpoint } from './endpoints.js'
import { E_WEBHOOK_DELIVERY_NOT_FOUND, E_WEBHOOK_DISABLED } from './errors.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null)

/** An endpoint's deliveries, newest first, each with its attempts (status code, latency, error). */
export async function listDeliveries(
  endpointId: string,
  options: { page: number; perPage: number; status?: string }
) {
  await findEndpoint(endpointId)
  return withTenantDb(async (trx) => {
    const query = trx.from('webhook_deliveries').where('endpoint_id', endpointId)
    if (options.status) query.where('status', options.status)
    const [{ total }] = await query.clone().count('* as total')
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .offset((options.page - 1) * options.perPage)
      .limit(options.perPage)
      .select('*')
    const attempts = rows.length
      ? await trx
          .from('webhook_attempts')
          .whereIn(
            'delivery_id',
            rows.map((row) => row.id)
          )
          .orderBy('number')
          .select('*')
      : []
    const count = Number(total)
    return {
      data: rows.map((row) => ({
        id: row.id,
        event: row.event,
        status: row.status,
        attempts: row.attempts,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        payload: JSON.parse(row.body),
        delivered_at: iso(row.delivered_at),
        created_at: iso(row.created_at),
        attempt_log: attempts
          .filter((attempt) => attempt.delivery_id === row.id)
          .map((attempt) => ({
            number: attempt.number,
            manual: attempt.manual,
            status_code: attempt.status_code,
            latency_ms: attempt.latency_ms,
            error: attempt.error,
            attempted_at: iso(attempt.attempted_at),
          })),
      })),
      pagination: {
        page: options.page,
        per_page: options.perPage,
        total: count,
        last_page: Math.max(1, Math.ceil(count / options.perPage)),
      },
    }
  })
}

/** Queues one more (manual) attempt of a delivery of an enabled endpoint. */
export async function redeliverByHand(endpointId: string, deliveryId: string) {
  const endpoint = await findEndpoint(endpointId)
  if (!UUID.test(deliveryId)) throw new E_WEBHOOK_DELIVERY_NOT_FOUND([deliveryId])
  if (endpoint.status !== 'enabled') throw new E_WEBHOOK_DISABLED([endpointId])
  const row = await withTenantDb((trx) =>
    trx
      .from('webhook_deliveries')
      .where({ id: deliveryId, endpoint_id: endpointId })
      .select('id')
      .first()
  )
  if (!row) throw new E_WEBHOOK_DELIVERY_NOT_FOUND([deliveryId])
  await redeliver(deliveryId)
  return { id: deliveryId, queued: true }
}
