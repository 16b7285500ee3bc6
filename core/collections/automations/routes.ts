import type { HttpContext, Router } from '@adonisjs/core/http'
import { respond } from '../../http/envelope.js'
import type { RouteMiddleware } from '../../http/route_middleware.js'
import { actorOf, authorize } from '../../rbac/authorize.js'
import './openapi.js'
import {
  createAutomation,
  deleteAutomation,
  findAutomation,
  listAutomations,
  listRuns,
  retryAutomationRun,
  updateAutomation,
} from './service.js'
import {
  createAutomationValidator,
  runsQueryValidator,
  updateAutomationValidator,
} from './validators.js'

const PERMISSION = 'core.collections.manage'

/** Collection automations (docs/collections.md, "Automations"): the tenant admin's CRUD, run log and retry. */
export function automationRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router.get('/', async (ctx: HttpContext) => {
        await authorize(ctx, PERMISSION)
        respond(ctx, await listAutomations(ctx.params.name))
      })
      router.post('/', async (ctx: HttpContext) => {
        const principal = await authorize(ctx, PERMISSION)
        const input = await createAutomationValidator.validate(ctx.request.body())
        const created = await createAutomation(ctx.params.name, input, actorOf(principal))
        respond(ctx, created, {
          status: 201,
          location: `/api/v1/admin/collections/${created.collection}/automations/${created.id}`,
        })
      })
      router.get('/:id', async (ctx: HttpContext) => {
        await authorize(ctx, PERMISSION)
        respond(ctx, await findAutomation(ctx.params.name, ctx.params.id))
      })
      router.patch('/:id', async (ctx: HttpContext) => {
        const principal = await authorize(ctx, PERMISSION)
        const input = await updateAutomationValidator.validate(ctx.request.body())
        respond(
          ctx,
          await updateAutomation(ctx.params.name, ctx.params.id, input, actorOf(principal))
        )
      })
      router.delete('/:id', async (ctx: HttpContext) => {
        const principal = await authorize(ctx, PERMISSION)
        respond(ctx, await deleteAutomation(ctx.params.name, ctx.params.id, actorOf(principal)))
      })
      router.get('/:id/runs', async (ctx: HttpContext) => {
        await authorize(ctx, PERMISSION)
        const query = await runsQueryValidator.validate(ctx.request.qs())
        const { data, pagination } = await listRuns(ctx.params.name, ctx.params.id, {
          page: query.page ?? 1,
          perPage: query.per_page ?? 20,
          status: query.status,
        })
        respond(ctx, data, { pagination })
      })
      router.post('/:id/runs/:run/retry', async (ctx: HttpContext) => {
        await authorize(ctx, PERMISSION)
        respond(ctx, await retryAutomationRun(ctx.params.name, ctx.params.id, ctx.params.run), {
          status: 202,
        })
      })
    })
    .prefix('/api/v1/admin/collections/:name/automations')
    .use([middleware.tenant()])
}
