import type { HttpContext } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'
import { E_FILE_LINK_INVALID, E_FILE_NOT_FOUND } from '../errors.js'
import { actorOf, principalOf, type Principal } from '../rbac/authorize.js'
import {
  acceptUpload,
  deleteFile,
  findFile,
  openFile,
  servedContentType,
  signFileLink,
  storeFile,
  validFileLink,
  type FileRecord,
} from './index.js'

/** The uploader, or who holds core.files.manage; anyone else is told the file does not exist. */
async function visibleFile(principal: Principal, id: string): Promise<FileRecord> {
  const file = await findFile(id)
  if (file.uploaded_by !== actorOf(principal) && !principal.can('core.files.manage'))
    throw new E_FILE_NOT_FOUND([id])
  return file
}

function withLink(file: FileRecord) {
  return { ...file, download: signFileLink(file.id) }
}

/**
 * Tenant files (docs/storage.md): `POST /api/v1/files` (multipart `file`),
 * `GET /api/v1/files/:id` (metadata and a signed link), `DELETE /api/v1/files/:id`,
 * and `GET /api/v1/files/:id/download`, authorised by the link's signature alone
 * so that a browser can follow it.
 */
export default class FilesController {
  async store(ctx: HttpContext) {
    const principal = await principalOf(ctx)
    const upload = acceptUpload(ctx.request.file('file'))
    const file = await storeFile(upload, { actor: actorOf(principal) })
    respond(ctx, withLink(file), { status: 201, location: `/api/v1/files/${file.id}` })
  }

  async show(ctx: HttpContext) {
    const principal = await principalOf(ctx)
    respond(ctx, withLink(await visibleFile(principal, ctx.params.id)))
  }

  async destroy(ctx: HttpContext) {
    const principal = await principalOf(ctx)
    const file = await visibleFile(principal, ctx.params.id)
    respond(ctx, await deleteFile(file.id, { actor: actorOf(principal) }))
  }

  async download(ctx: HttpContext) {
    const id = String(ctx.params.id)
    if (!validFileLink(id, ctx.request.qs())) throw new E_FILE_LINK_INVALID()
    const { file, stream } = await openFile(id)
    const ascii = file.name.replace(/[^\x20-\x7e]/g, '_')
    ctx.response.header('Content-Type', servedContentType(file.content_type))
    ctx.response.header('Content-Length', String(file.size))
    // Always an attachment: a download is never rendered in the platform's origin.
    ctx.response.header(
      'Content-Disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`
    )
    ctx.response.header('Cache-Control', 'private, no-store')
    ctx.response.header('X-Content-Type-Options', 'nosniff')
    ctx.response.stream(stream)
  }
}
