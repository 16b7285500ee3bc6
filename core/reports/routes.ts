import type { HttpContext, Router } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'
import { authorize, principalOf } from '../rbac/authorize.js'
import { dashboard } from './dashboard.js'
import { listDocuments, renderDocument } from './documents.js'
import { createExport, findExport, presentExport, queueExport } from './exports.js'
import { listSubscriptions, subscribe, unsubscribe } from './subscriptions.js'
import { exportValidator, subscriptionValidator } from './validators.js'

/** Who may subscribe people to scheduled reports (TenantAdmin holds it). */
const MANAGE_REPORTS = 'core.reports.manage'

type Middleware = { tenant(): any; tenantAdmin(): any }

/*
 * Routes of reports (docs/reports.md): exports, documents, the dashboard and
 * scheduled reports. Each checks the caller's permissions on what it reads.
 */
export function reportRoutes(router: Router, middleware: Middleware) {
  router
    .group(() => {
      router.post('/exports', async (ctx: HttpContext) => {
        const principal = await principalOf(ctx)
        const input = await exportValidator.validate(ctx.request.body())
        const row = await createExport(input, principal)
        await queueExport(row.id)
        respond(ctx, await presentExport(row), {
          status: 202,
          location: `/api/v1/exports/${row.id}`,
        })
      })
      router.get('/exports/:id', async (ctx: HttpContext) => {
        const principal = await principalOf(ctx)
        respond(ctx, await presentExport(await findExport(String(ctx.params.id), principal)))
      })

      router.get('/dashboard', async (ctx: HttpContext) => {
        respond(ctx, { stats: await dashboard(await principalOf(ctx)) })
      })

      router.get('/documents', async (ctx: HttpContext) => {
        respond(ctx, await listDocuments(await principalOf(ctx)))
      })
      router.get('/documents/:document/:id', async (ctx: HttpContext) => {
        const principal = await principalOf(ctx)
        const { bytes, fileName } = await renderDocument(
          String(ctx.params.document),
          String(ctx.params.id),
          principal
        )
        ctx.response
          .status(200)
          .header('Content-Type', 'application/pdf')
          .header('Content-Disposition', `inline; filename="${fileName}"`)
          .header('Cache-Control', 'private, no-store')
          .send(bytes)
      })
    })
    .prefix('/api/v1')
    .use([middleware.tenant()])

  router
    .group(() => {
      router.get('/', async (ctx: HttpContext) => {
        await authorize(ctx, MANAGE_REPORTS)
        respond(ctx, await listSubscriptions())
      })
      router.post('/', async (ctx: HttpContext) => {
        const principal = await authorize(ctx, MANAGE_REPORTS)
        const input = await subscriptionValidator.validate(ctx.request.body())
        respond(ctx, await subscribe(input, principal), { status: 201 })
      })
      router.delete('/:id', async (ctx: HttpContext) => {
        await authorize(ctx, MANAGE_REPORTS)
        respond(ctx, await unsubscribe(String(ctx.params.id)))
      })
    })
    .prefix('/api/v1/admin/reports/subscriptions')
    .use([middleware.tenant(), middleware.tenantAdmin()])
}
