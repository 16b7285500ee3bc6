import type { HttpContext } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'
import { actorOf, authorize } from '../rbac/authorize.js'
import { listDeliveries, redeliverByHand } from './deliveries.js'
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  rotateSecret,
  updateEndpoint,
} from './endpoints.js'
import {
  createEndpointValidator,
  deliveriesQueryValidator,
  updateEndpointValidator,
} from './validators.js'

const PERMISSION = 'core.webhooks.manage'

/** /api/v1/admin/webhooks: the tenant's outbound webhook endpoints and their deliveries. */
export default class WebhooksController {
  async index(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    respond(ctx, await listEndpoints())
  }

  /** The secret is in this answer only. */
  async store(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    const input = await createEndpointValidator.validate(ctx.request.body())
    const created = await createEndpoint(input, actorOf(principal))
    respond(ctx, created, { status: 201, location: `/api/v1/admin/webhooks/${created.id}` })
  }

  async show(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    respond(ctx, await findEndpoint(ctx.params.id))
  }

  async update(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    const input = await updateEndpointValidator.validate(ctx.request.body())
    respond(ctx, await updateEndpoint(ctx.params.id, input, actorOf(principal)))
  }

  async destroy(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    respond(ctx, await deleteEndpoint(ctx.params.id, actorOf(principal)))
  }

  /** A new secret, shown once; the old one stops signing at once. */
  async rotateSecret(ctx: HttpContext) {
    const principal = await authorize(ctx, PERMISSION)
    respond(ctx, await rotateSecret(ctx.params.id, actorOf(principal)))
  }

  async deliveries(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    const query = await deliveriesQueryValidator.validate(ctx.request.qs())
    const { data, pagination } = await listDeliveries(ctx.params.id, {
      page: query.page ?? 1,
      perPage: query.per_page ?? 20,
      status: query.status,
    })
    respond(ctx, data, { pagination })
  }

  async redeliver(ctx: HttpContext) {
    await authorize(ctx, PERMISSION)
    respond(ctx, await redeliverByHand(ctx.params.id, ctx.params.deliveryId), { status: 202 })
  }
}
