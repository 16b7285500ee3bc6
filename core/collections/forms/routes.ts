import type { HttpContext, Router } from '@adonisjs/core/http'
import type { RouteMiddleware } from '../../http/route_middleware.js'
// Route#describe (the OpenAPI description of a route).
import '../../openapi/operations.js'
import { E_FORBIDDEN } from '../../errors.js'
import { respond } from '../../http/envelope.js'
import { actorOf, authorize, principalOf } from '../../rbac/authorize.js'
import { formDocs } from './openapi.js'
import {
  createForm,
  deleteForm,
  listForms,
  openPublicForm,
  showForm,
  signedInForm,
  submitPublic,
  submitSignedIn,
  updateForm,
} from './service.js'
import {
  createFormValidator,
  publicSubmissionValidator,
  submissionValidator,
  updateFormValidator,
} from './validators.js'

const MANAGE = 'core.collections.manage'

/**
 * Forms of a collection (docs/collections.md, "Forms"): the admin's CRUD,
 * and filling one in when signed in.
 */
export function formRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router
        .get('/', async (ctx) => {
          await authorize(ctx, MANAGE)
          respond(ctx, await listForms(ctx.params.name))
        })
        .describe(formDocs.adminList)
      router
        .post('/', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          const input = await createFormValidator.validate(ctx.request.body())
          respond(ctx, await createForm(ctx.params.name, input, actorOf(principal)), {
            status: 201,
          })
        })
        .describe(formDocs.create)
      router
        .patch('/:id', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          const input = await updateFormValidator.validate(ctx.request.body())
          respond(ctx, await updateForm(ctx.params.name, ctx.params.id, input, actorOf(principal)))
        })
        .describe(formDocs.update)
      router
        .delete('/:id', async (ctx) => {
          const principal = await authorize(ctx, MANAGE)
          respond(ctx, await deleteForm(ctx.params.name, ctx.params.id, actorOf(principal)))
        })
        .describe(formDocs.delete)
    })
    .prefix('/api/v1/admin/collections/:name/forms')
    .use([middleware.tenant()])

  /** The form named by the route, as the signed-in caller may use it (403 otherwise). */
  const usable = async (ctx: HttpContext) => {
    const principal = await principalOf(ctx)
    const found = await signedInForm(ctx.params.name, ctx.params.slug, principal)
    if (found.refused) throw new E_FORBIDDEN([`this needs the ${found.refused} permission`])
    return { principal, ...found }
  }

  router
    .group(() => {
      router
        .get('/:slug', async (ctx) => {
          const { form, model } = await usable(ctx)
          respond(ctx, showForm(form, model))
        })
        .describe(formDocs.show)
      router
        .post('/:slug/submissions', async (ctx) => {
          const { principal, form, model, own } = await usable(ctx)
          const { values } = await submissionValidator.validate(ctx.request.body())
          respond(
            ctx,
            await submitSignedIn(form, model, own, values, {
              principal,
              requestId: ctx.request.id() ?? null,
              ctx,
            }),
            { status: 201 }
          )
        })
        .describe(formDocs.submit)
    })
    .prefix('/api/v1/collections/:name/forms')
    .use([middleware.tenant()])
}

/**
 * Public forms (no account): the tenant comes from the request's domain or
 * X-Tenant-ID, as for every tenant route; spam protection in service.ts.
 */
export function publicFormRoutes(router: Router, middleware: RouteMiddleware) {
  router
    .group(() => {
      router
        .get('/:slug', async (ctx) => {
          respond(ctx, await openPublicForm(ctx.params.slug))
        })
        .describe(formDocs.openPublic)
      router
        .post('/:slug/submissions', async (ctx) => {
          const input = await publicSubmissionValidator.validate(ctx.request.body())
          respond(
            ctx,
            await submitPublic(ctx.params.slug, input, ctx.request.ip(), ctx.request.id() ?? null),
            { status: 201 }
          )
        })
        .describe(formDocs.submitPublic)
    })
    .prefix('/api/v1/public/forms')
    .use([middleware.tenant()])
}
