import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/** JSON answers load nothing and may not be framed. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/**
 * The API reference (/docs) runs its renderer's script and stylesheet, served
 * from this origin only, and calls the API of this origin. The renderer sets
 * inline styles, hence 'unsafe-inline' for styles (never for scripts).
 */
const DOCS_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

const HSTS = 'max-age=31536000; includeSubDomains'

/**
 * Security headers on every response, errors and unmatched routes included
 * (docs/api.md, "Security headers"). Set before the request runs, so that a
 * failing handler's answer carries them too. HSTS only in production, where
 * Oryne is served over HTTPS (behind a proxy that terminates TLS).
 */
export default class SecurityHeadersMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const docs = ctx.request.url() === '/docs' || ctx.request.url().startsWith('/docs/')
    const response = ctx.response
    response.header('X-Content-Type-Options', 'nosniff')
    response.header('X-Frame-Options', 'DENY')
    response.header('Referrer-Policy', 'no-referrer')
    response.header('Cross-Origin-Opener-Policy', 'same-origin')
    response.header('Content-Security-Policy', docs ? DOCS_POLICY : API_POLICY)
    if (app.inProduction) response.header('Strict-Transport-Security', HSTS)
    return next()
  }
}
