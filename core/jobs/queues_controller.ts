import vine from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import jobs from '../services/jobs.js'
import { respond } from '../http/envelope.js'

const failedQuery = vine.compile(
  vine.object({
    limit: vine.number().withoutDecimals().range([1, 500]).optional(),
  })
)

/** Queue health for platform admins (and the admin console). */
export default class QueuesController {
  async index(ctx: HttpContext) {
    respond(ctx, { driver: jobs.driver.kind, queues: await jobs.status() })
  }

  async failed(ctx: HttpContext) {
    const { limit } = await failedQuery.validate(ctx.request.qs())
    respond(ctx, await jobs.failed(ctx.params.queue, limit ?? 50))
  }

  async retry(ctx: HttpContext) {
    await jobs.retry(ctx.params.queue, ctx.params.id)
    respond(ctx, { queue: ctx.params.queue, id: ctx.params.id, status: 'queued' }, { status: 202 })
  }
}
