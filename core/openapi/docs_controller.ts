import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import tenancyConfig from '#config/tenancy'
import { buildOpenApiDocument } from './index.js'
import tenancy from '../services/tenancy.js'
import { resolveTenant } from '../tenancy/resolver.js'
import { E_NOT_FOUND, E_TENANT_NOT_FOUND } from '../errors.js'

const pkg = JSON.parse(readFileSync(app.makePath('package.json'), 'utf8'))

/** The renderer's files, from the swagger-ui-dist package (served locally: no CDN). */
const RENDERER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/** What /docs/<file> serves: the page's own script, and the renderer's bundle and stylesheet. */
const ASSETS: Record<string, string> = {
  'init.js': app.publicPath('docs/init.js'),
  'swagger-ui-bundle.js': join(RENDERER_DIR, 'swagger-ui-bundle.js'),
  'swagger-ui.css': join(RENDERER_DIR, 'swagger-ui.css'),
}

/**
 * Whether the request names a tenant itself (X-Tenant-ID, or a subdomain of the
 * base domain). Any other host (localhost, the API's own name) reads the
 * generic document.
 */
function namesTenant(ctx: HttpContext) {
  const base = tenancyConfig.baseDomain
  const host = (ctx.request.hostname() ?? '').toLowerCase()
  return (
    Boolean(ctx.request.header(tenancyConfig.header)) || Boolean(base && host.endsWith(`.${base}`))
  )
}

/** The OpenAPI document and the HTML API reference that renders it. */
export default class DocsController {
  /**
   * GET /api/v1/openapi.json: the generic document, or the tenant's when the
   * request names one (only its enabled plugins, with its custom fields).
   * Not enveloped: it is the document OpenAPI tools read.
   */
  async openapi(ctx: HttpContext) {
    let tenant = null
    try {
      tenant = await resolveTenant(ctx, tenancy.registry)
    } catch (error) {
      if (!(error instanceof E_TENANT_NOT_FOUND) || namesTenant(ctx)) throw error
    }
    const plugins = await app.container.make('oryne.plugins')
    const document = await buildOpenApiDocument({
      version: pkg.version,
      tenant,
      includePlugin: tenant ? (name) => plugins.isEnabled(tenant!.id, name) : undefined,
      servers: [{ url: `${ctx.request.protocol()}://${ctx.request.host()}` }],
    })
    ctx.response.header('Cache-Control', 'no-cache')
    ctx.response.json(document)
  }

  /** GET /docs: the API reference page. */
  async show(ctx: HttpContext) {
    ctx.response.header('Cache-Control', 'no-cache')
    ctx.response.download(app.publicPath('docs/index.html'), true)
  }

  /** GET /docs/:file: the page's script and the renderer. */
  async asset(ctx: HttpContext) {
    const file = ASSETS[ctx.params.file]
    if (!file) throw new E_NOT_FOUND([ctx.request.method(), ctx.request.url()])
    ctx.response.header('Cache-Control', 'public, max-age=3600')
    ctx.response.download(file, true)
  }
}
