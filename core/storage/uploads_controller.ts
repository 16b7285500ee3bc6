import type { HttpContext } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'
import { actorOf, principalOf } from '../rbac/authorize.js'
import { withTenantDb } from '../tenancy/tenant_db.js'
import { storageUsage } from './quota.js'
import { confirmUpload, findUpload, receiveUploadContent, requestUpload } from './uploads.js'
import { uploadRequestValidator } from './validators.js'

async function caller(ctx: HttpContext) {
  const principal = await principalOf(ctx)
  return { actor: actorOf(principal), manageAll: principal.can('core.files.manage') }
}

/**
 * Presigned uploads (docs/storage.md): `POST /api/v1/uploads` declares one and
 * returns where to send it, `PUT /api/v1/uploads/:id/content` is the signed
 * target of the fs driver, `POST /api/v1/uploads/:id/confirm` records the file;
 * `GET /api/v1/files/usage` reports the tenant's storage against its quota.
 */
export default class UploadsController {
  async store(ctx: HttpContext) {
    const { actor } = await caller(ctx)
    const input = await uploadRequestValidator.validate(ctx.request.body())
    const upload = await requestUpload(input, actor)
    respond(ctx, upload, { status: 201, location: `/api/v1/uploads/${upload.id}` })
  }

  async show(ctx: HttpContext) {
    respond(ctx, await findUpload(String(ctx.params.id), await caller(ctx)))
  }

  async content(ctx: HttpContext) {
    await receiveUploadContent(
      String(ctx.params.id),
      ctx.request.qs(),
      ctx.request.request,
      ctx.request.header('content-type')
    )
    ctx.response.status(204)
  }

  async confirm(ctx: HttpContext) {
    respond(ctx, await confirmUpload(String(ctx.params.id), await caller(ctx)))
  }

  async usage(ctx: HttpContext) {
    await principalOf(ctx)
    respond(ctx, await withTenantDb((trx) => storageUsage(trx)))
  }
}
