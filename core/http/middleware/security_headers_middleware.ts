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
 * The security headers of every answer (docs/api.md, "Security headers"):
 * also written by the HTTP server itself for requests Node refuses before the
 * application sees them (core/http/client_errors.ts).
 */
export function securityHeaders(options: { docs?: boolean } = {}): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Content-Security-Policy': options.docs ? DOCS_POLICY : API_POLICY,
    ...(app.inProduction ? { 'Strict-Transport-Security': HSTS } : {}),
  }
}

/**
 * Security headers on every response, errors and unmatched routes included.
 * Set before the request runs, so that a failing handler's answer carries them
 * too. HSTS only in production, where Oryne is served over HTTPS (behind a
 * proxy that terminates TLS).
 */
export default class SecurityHeadersMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const docs = ctx.request.url() === '/docs' || ctx.request.url().startsWith('/docs/')
    for (const [name, value] of Object.entries(securityHeaders({ docs })))
      ctx.response.header(name, value)
    return next()
  }
}
