import { randomUUID } from 'node:crypto'
import type { Logger } from '@adonisjs/core/logger'
import { onCoreEvent, type OryneEvent } from '../events/events.js'
import { defineJob } from '../jobs/define_job.js'
import { notify } from '../notifications/notify.js'
import { isOutboundError, outboundRequest } from '../outbound/client.js'
import { tenantContext } from '../tenancy/context.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { webhookConfig } from './config.js'
import { enabledEndpoints, endpointSecret, endpointsChanged } from './endpoints.js'
import { matchesEvent } from './patterns.js'
import { SIGNATURE_HEADER, signatureHeader } from './signature.js'

/**
 * Deliveries: every event of a tenant (after its transaction committed) becomes
 * one delivery per enabled endpoint of that tenant subscribed to it, sent by a
 * queued job. Retries are scheduled here rather than by bull, so that the
 * number of tries and the backoff follow the current settings; every attempt
 * is recorded with its status code and latency.
 */
export const deliverWebhookJob = defineJob<{ delivery_id: string; manual?: boolean }>({
  name: 'core.webhook_deliver',
  queue: 'webhooks',
  attempts: 1,
  concurrency: 10,
  handle: (data, context) =>
    attemptDelivery(data.delivery_id, data.manual === true, context.logger),
})

async function queueAttempt(
  deliveryId: string,
  options: { delay?: number; manual?: boolean } = {}
) {
  const { default: jobs } = await import('../services/jobs.js')
  await jobs.dispatch(
    deliverWebhookJob,
    { delivery_id: deliveryId, ...(options.manual ? { manual: true } : {}) },
    { delay: options.delay ?? 0 }
  )
}

/** Creates the deliveries of one event for the endpoints of its tenant that subscribe to it. */
async function fanOut(event: OryneEvent) {
  const tenant = tenantContext.require()
  const endpoints = await enabledEndpoints()
  const subscribed = endpoints.filter((endpoint) =>
    endpoint.events.some((pattern) => matchesEvent(pattern, event.name))
  )
  if (!subscribed.length) return
  const body = JSON.stringify({
    id: randomUUID(),
    event: event.name,
    tenant_id: tenant.id,
    occurred_at: event.at.toISOString(),
    actor: event.actor,
    data: event.payload,
  })
  const rows: Array<{ id: string }> = await withTenantDb((trx) =>
    trx
      .insertQuery()
      .table('webhook_deliveries')
      .multiInsert(
        subscribed.map((endpoint) => ({ endpoint_id: endpoint.id, event: event.name, body }))
      )
      .returning('id')
  )
  await Promise.all(rows.map((row) => queueAttempt(row.id)))
}

onCoreEvent(() => true, fanOut)

type Outcome = { statusCode: number | null; error: string | null; latencyMs: number }

/**
 * One POST through the outbound client (address checks, no redirects: a 3xx
 * is a failure), signed and bounded in time. The attempt log keeps the status
 * and, for a tenant admin debugging their endpoint, where it redirected to.
 */
async function post(url: string, secret: string, delivery: Record<string, any>): Promise<Outcome> {
  const started = performance.now()
  const timeout = webhookConfig.timeoutMs()
  const latency = () => Math.round(performance.now() - started)
  try {
    const response = await outboundRequest({
      service: 'webhook endpoint',
      url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Oryne-Webhooks/1',
        'oryne-event': delivery.event,
        'oryne-delivery': delivery.id,
        [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(secret, delivery.body),
      },
      body: delivery.body,
      timeoutMs: timeout,
      // The answer is not used: a small one is read, a large one fails the attempt.
      maxResponseBytes: 64 * 1024,
    })
    const ok = response.status >= 200 && response.status < 300
    return {
      statusCode: response.status,
      error: ok ? null : `answered ${response.status}`,
      latencyMs: latency(),
    }
  } catch (error) {
    if (!isOutboundError(error))
      return {
        statusCode: null,
        error: `unreachable: ${(error as Error).message}`,
        latencyMs: latency(),
      }
    const { status, location, address, range } = error.upstream
    const message =
      error.code === 'ERR_UPSTREAM_REDIRECT'
        ? `redirect to ${location ?? '?'} not followed`
        : error.code === 'ERR_UPSTREAM_ADDRESS_REFUSED'
          ? `refused: ${address} is not a public address (${range}); see ORYNE_OUTBOUND_ALLOW`
          : error.code === 'ERR_UPSTREAM_TIMEOUT'
            ? `no answer within ${timeout} ms`
            : `${error.code}: ${error.message}`
    return { statusCode: status ?? null, error: message.slice(0, 1000), latencyMs: latency() }
  }
}

/** The tenant admins (and holders of core.webhooks.manage) told about a disabled endpoint. */
async function webhookManagers(): Promise<string[]> {
  const rows = await withTenantDb((trx) =>
    trx
      .from('users as u')
      .join('user_roles as ur', 'ur.user_id', 'u.id')
      .join('roles as r', 'r.id', 'ur.role_id')
      .where('u.status', 'active')
      .where((query) =>
        query.where('r.name', 'TenantAdmin').orWhereRaw(`r.permissions \\? 'core.webhooks.manage'`)
      )
      .distinct('u.id')
  )
  return rows.map((row) => row.id as string)
}

/**
 * Records a failure on the endpoint; disables it (once, by a conditional
 * update) when it has failed without a success for the configured window.
 */
async function recordEndpointFailure(endpointId: string, url: string, logger: Logger) {
  const windowSeconds = webhookConfig.disableAfterSeconds()
  const disabled = await withTenantDb(async (trx) => {
    await trx
      .from('webhook_endpoints')
      .where('id', endpointId)
      .whereNull('failing_since')
      .update({ failing_since: new Date() })
    const [row] = await trx
      .from('webhook_endpoints')
      .where('id', endpointId)
      .where('status', 'enabled')
      .whereRaw(`failing_since <= now() - make_interval(secs => ?)`, [windowSeconds])
      .update({
        status: 'disabled',
        disabled_at: new Date(),
        disabled_reason: `failing for more than ${windowSeconds} s`,
        updated_at: new Date(),
      })
      .returning(['id', 'failing_since'])
    return row
  })
  if (!disabled) return
  endpointsChanged()
  logger.warn({ endpoint_id: endpointId }, 'webhook endpoint disabled after failing')
  await notify({
    userIds: await webhookManagers(),
    template: 'core.webhook_disabled',
    data: {
      url,
      failing_since: new Date(disabled.failing_since).toISOString(),
    },
    priority: 'high',
    dedupKey: `${endpointId}:${new Date(disabled.failing_since).toISOString()}`,
  })
}

async function attemptDelivery(id: string, manual: boolean, logger: Logger) {
  const delivery = await withTenantDb((trx) =>
    trx
      .from('webhook_deliveries as d')
      .join('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .where('d.id', id)
      .select('d.*', 'e.url', 'e.secret', 'e.status as endpoint_status')
      .first()
  )
  if (!delivery) return { skipped: 'no delivery' }
  if (!manual && !['pending', 'retrying'].includes(delivery.status))
    return { skipped: delivery.status }
  if (delivery.endpoint_status !== 'enabled') {
    await withTenantDb((trx) =>
      trx
        .from('webhook_deliveries')
        .where('id', id)
        .update({ status: 'failed', last_error: 'endpoint disabled', updated_at: new Date() })
    )
    return { skipped: 'endpoint disabled' }
  }

  const outcome = await post(delivery.url, endpointSecret(delivery), delivery)
  const number = delivery.attempts + 1
  const succeeded = outcome.error === null
  const retry = !succeeded && !manual && number < webhookConfig.attempts()
  await withTenantDb(async (trx) => {
    await trx.insertQuery().table('webhook_attempts').insert({
      delivery_id: id,
      number,
      manual,
      status_code: outcome.statusCode,
      latency_ms: outcome.latencyMs,
      error: outcome.error,
    })
    await trx
      .from('webhook_deliveries')
      .where('id', id)
      .update({
        status: succeeded ? 'succeeded' : retry ? 'retrying' : 'failed',
        attempts: number,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        delivered_at: succeeded ? new Date() : null,
        updated_at: new Date(),
      })
    if (succeeded)
      await trx
        .from('webhook_endpoints')
        .where('id', delivery.endpoint_id)
        .whereNotNull('failing_since')
        .update({ failing_since: null })
  })
  if (succeeded) return { delivered: number }

  await recordEndpointFailure(delivery.endpoint_id, delivery.url, logger)
  if (retry) {
    const delay = webhookConfig.backoffMs() * 2 ** (number - 1)
    await queueAttempt(id, { delay })
    logger.info({ delivery_id: id, attempt: number, retry_in_ms: delay }, 'webhook retry')
    return { retrying: number }
  }
  return { failed: number }
}

/** Sends a delivery again by hand: one more attempt, recorded as manual. */
export async function redeliver(deliveryId: string) {
  await queueAttempt(deliveryId, { manual: true })
}
