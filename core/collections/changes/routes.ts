import type { OperationDoc } from '../../openapi/operations.js'
import vine from '@vinejs/vine'
import type { Router } from '@adonisjs/core/http'
// Route#describe (the OpenAPI description of a route).
import '../../openapi/operations.js'
import { respond } from '../../http/envelope.js'
import type { RouteMiddleware } from '../../http/route_middleware.js'
import { authorize } from '../../rbac/authorize.js'
import { E_FORBIDDEN } from '../../errors.js'
import { MANAGE } from '../collection_routes.js'
import { E_COLLECTION_NOT_FOUND, E_COLLECTION_QUOTA } from '../errors.js'
import { changeCollection, changeHistory } from './applier.js'
import {
  E_COLLECTION_CHANGE_CONFLICT,
  E_COLLECTION_CHANGE_FAILED,
  E_COLLECTION_CHANGE_REFUSED,
  E_COLLECTION_CHANGE_UNCONFIRMED,
} from './errors.js'
import { appliedChangeSchema, changeRequestSchema, changeResultSchema } from './openapi.js'

const security: OperationDoc['security'] = ['tenantUser', 'apiKey', 'platformToken']
const tags = ['Collections']

const historyQuery = vine.compile(
  vine.object({
    page: vine.number().withoutDecimals().min(1).max(1_000_000).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(100).optional(),
  })
)

/** Changes to a collection's fields: plan, dry run, apply; and the changes applied so far. */
export function changeRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router
        .post('/', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          respond(
            ctx,
            await changeCollection(ctx.params.name, ctx.request.body(), {
              principal,
              requestId: ctx.request.id() ?? null,
            })
          )
        })
        .describe({
          summary: 'Plan or apply changes to the fields of a collection',
          description:
            'add_field, rename_field (values kept; views, forms and automations follow), remove_field, change_field (type, required, unique, default, values, bounds, label...). The answer is the plan: ordered steps with their SQL, affected rows counted in the table, and problems. `dry_run: true` only plans. A plan with blocking problems is refused (422, the plan in error.details); destructive steps need `confirm: true` and copy the values they lose to a backup table `colbak_<name>_v<version>`. Everything runs in one transaction: definition, table, version and history change together or not at all.',
          tags,
          security,
          body: changeRequestSchema,
          data: changeResultSchema,
          errors: [
            E_FORBIDDEN,
            E_COLLECTION_NOT_FOUND,
            E_COLLECTION_QUOTA,
            E_COLLECTION_CHANGE_UNCONFIRMED,
            E_COLLECTION_CHANGE_REFUSED,
            E_COLLECTION_CHANGE_CONFLICT,
            E_COLLECTION_CHANGE_FAILED,
          ],
        })
      router
        .get('/', async (ctx) => {
          await authorize(ctx, MANAGE)
          const query = await historyQuery.validate(ctx.request.qs())
          const { data, pagination } = await changeHistory(
            ctx.params.name,
            query.page ?? 1,
            query.per_page ?? 25
          )
          respond(ctx, data, { pagination })
        })
        .describe({
          summary: 'The changes applied to a collection, newest first',
          description:
            'Each with its versions, its plan, who applied it and the backup table it left (also the deletion of a collection).',
          tags,
          security,
          query: historyQuery,
          data: { type: 'array', items: appliedChangeSchema },
          paginated: true,
          errors: [E_FORBIDDEN, E_COLLECTION_NOT_FOUND],
        })
    })
    .prefix('/api/v1/admin/collections/:name/changes')
    .use([middleware.tenant()])
}
