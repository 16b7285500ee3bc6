import { describeOperations } from '../openapi/operations.js'
import { arrayOf, type JsonSchema } from '../openapi/schemas.js'
import {
  E_WEBHOOK_DELIVERY_NOT_FOUND,
  E_WEBHOOK_DISABLED,
  E_WEBHOOK_NOT_FOUND,
  E_WEBHOOK_URL_INVALID,
} from './errors.js'
import {
  createEndpointValidator,
  deliveriesQueryValidator,
  updateEndpointValidator,
} from './validators.js'

const endpoint: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string' },
    description: { type: ['string', 'null'] },
    events: arrayOf({ type: 'string' }),
    status: { enum: ['enabled', 'disabled'] },
    failing_since: { type: ['string', 'null'], format: 'date-time' },
    disabled_at: { type: ['string', 'null'], format: 'date-time' },
    disabled_reason: { type: ['string', 'null'] },
    created_by: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'url', 'events', 'status'],
}
const withSecret: JsonSchema = {
  allOf: [
    endpoint,
    { type: 'object', properties: { secret: { type: 'string' } }, required: ['secret'] },
  ],
}
const delivery: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    event: { type: 'string' },
    status: { enum: ['pending', 'retrying', 'succeeded', 'failed'] },
    attempts: { type: 'integer' },
    last_status_code: { type: ['integer', 'null'] },
    last_error: { type: ['string', 'null'] },
    payload: { type: 'object' },
    delivered_at: { type: ['string', 'null'], format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
    attempt_log: arrayOf({
      type: 'object',
      properties: {
        number: { type: 'integer' },
        manual: { type: 'boolean' },
        status_code: { type: ['integer', 'null'] },
        latency_ms: { type: 'integer' },
        error: { type: ['string', 'null'] },
        attempted_at: { type: 'string', format: 'date-time' },
      },
    }),
  },
}
const tags = ['Webhooks']
const base = '/api/v1/admin/webhooks'

/* Outbound webhooks (docs/webhooks.md). */
describeOperations({
  [`GET ${base}`]: {
    summary: 'Webhook endpoints of the institution',
    tags,
    data: arrayOf(endpoint),
  },
  [`POST ${base}`]: {
    summary: 'Subscribe an endpoint to events',
    description:
      'Events are names or patterns (`erp.*`, `*`). The answer carries the signing `secret`, shown this once. ' +
      'https only (plain http to 127.0.0.1 outside production when allowed).',
    tags,
    status: 201,
    location: `${base}/{id}`,
    body: createEndpointValidator,
    data: withSecret,
    errors: [E_WEBHOOK_URL_INVALID],
  },
  [`GET ${base}/:id`]: {
    summary: 'One endpoint',
    tags,
    data: endpoint,
    errors: [E_WEBHOOK_NOT_FOUND],
  },
  [`PATCH ${base}/:id`]: {
    summary: 'Change an endpoint; `enabled: true` re-enables a disabled one',
    tags,
    body: updateEndpointValidator,
    data: endpoint,
    errors: [E_WEBHOOK_NOT_FOUND, E_WEBHOOK_URL_INVALID],
  },
  [`DELETE ${base}/:id`]: {
    summary: 'Remove an endpoint and its deliveries',
    tags,
    data: endpoint,
    errors: [E_WEBHOOK_NOT_FOUND],
  },
  [`POST ${base}/:id/rotate-secret`]: {
    summary: 'A new signing secret, shown once',
    tags,
    data: withSecret,
    errors: [E_WEBHOOK_NOT_FOUND],
  },
  [`GET ${base}/:id/deliveries`]: {
    summary: 'Deliveries of an endpoint with every attempt (status code, latency)',
    tags,
    query: deliveriesQueryValidator,
    paginated: true,
    data: arrayOf(delivery),
    errors: [E_WEBHOOK_NOT_FOUND],
  },
  [`POST ${base}/:id/deliveries/:deliveryId/redeliver`]: {
    summary: 'Send a delivery again by hand (one more attempt)',
    tags,
    status: 202,
    data: { type: 'object', properties: { id: { type: 'string' }, queued: { const: true } } },
    errors: [E_WEBHOOK_NOT_FOUND, E_WEBHOOK_DELIVERY_NOT_FOUND, E_WEBHOOK_DISABLED],
  },
})
