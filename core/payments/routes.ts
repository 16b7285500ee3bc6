import type { HttpContext } from '@adonisjs/core/http'
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
// Route#describe (the OpenAPI description of a route).
import '../openapi/operations.js'
import type { JsonSchema } from '../openapi/schemas.js'
import { E_VALIDATION } from '../errors.js'
import { respond } from '../http/envelope.js'
import { actorOf, authorize } from '../rbac/authorize.js'
import { storedProvider } from './config.js'
import { E_PAYMENT_WEBHOOK_SIGNATURE, E_PAYMENT_WEBHOOK_STALE } from './errors.js'
import { presentProvider, removeProvider, saveProvider } from './providers.js'
import { GATEWAY_SIGNATURE_HEADER } from './signature.js'
import { providerValidator } from './validators.js'
import { receivePaymentWebhook } from './webhook.js'

/** Setting the school's payment provider is part of running its modules. */
const PERMISSION = 'core.plugins.manage'
const tags = ['Payments']

const provider: JsonSchema = {
  type: 'object',
  required: ['provider', 'api_url', 'api_key_set', 'webhook_secret_set', 'webhook_path'],
  properties: {
    provider: { const: 'card' },
    api_url: { type: 'string' },
    api_key_set: { type: 'boolean' },
    webhook_secret_set: { type: 'boolean' },
    from_environment: { type: 'boolean' },
    webhook_path: { type: 'string' },
    updated_at: { type: ['string', 'null'], format: 'date-time' },
  },
}

/**
 * Online payments (docs/plugins.md, "Online payments"): the gateway's webhook,
 * authorised by its signature alone, and the tenant admin's provider settings.
 */
export function registerPaymentRoutes() {
  router
    .post('/api/v1/payments/webhooks/card', async (ctx: HttpContext) => {
      const rawBody = ctx.request.raw() ?? ''
      respond(
        ctx,
        await receivePaymentWebhook(rawBody, ctx.request.header(GATEWAY_SIGNATURE_HEADER))
      )
    })
    .use(middleware.tenant())
    .describe({
      summary: 'Receive an event of the card gateway',
      description: `Authorised by the ${GATEWAY_SIGNATURE_HEADER} header, the gateway's signature over the raw body with the tenant's webhook secret, not by a user. Dispatched to the plugin whose checkout session (in this tenant) the event names; an event is applied once: a redelivery answers duplicate: true. \`outcome\` says what it did (e.g. invoice_paid, amount_mismatch, unknown_session).`,
      tags,
      data: {
        type: 'object',
        required: ['event_id', 'duplicate', 'outcome'],
        properties: {
          event_id: { type: 'string' },
          duplicate: { type: 'boolean' },
          outcome: { type: 'string' },
        },
      },
      errors: [E_PAYMENT_WEBHOOK_SIGNATURE, E_PAYMENT_WEBHOOK_STALE, E_VALIDATION],
    })

  router
    .group(() => {
      router
        .get('/card', async (ctx: HttpContext) => {
          await authorize(ctx, PERMISSION)
          respond(ctx, presentProvider(await storedProvider('card')))
        })
        .describe({
          summary: 'The card gateway of the institution (secrets never shown)',
          tags,
          data: provider,
        })
      router
        .put('/card', async (ctx: HttpContext) => {
          const principal = await authorize(ctx, PERMISSION)
          const input = await providerValidator.validate(ctx.request.body())
          respond(ctx, await saveProvider(input, actorOf(principal)))
        })
        .describe({
          summary: 'Set the card gateway of the institution',
          description:
            'The gateway’s API base URL, secret API key and webhook signing secret (stored encrypted). The gateway posts its events to `webhook_path` on the institution’s address.',
          tags,
          body: providerValidator,
          data: provider,
        })
      router
        .delete('/card', async (ctx: HttpContext) => {
          const principal = await authorize(ctx, PERMISSION)
          respond(ctx, await removeProvider(actorOf(principal)))
        })
        .describe({
          summary: 'Stop taking card payments (the environment’s gateway, if any, applies again)',
          tags,
          data: provider,
        })
    })
    .prefix('/api/v1/admin/payments')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}
