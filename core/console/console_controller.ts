import { existsSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { E_NOT_FOUND, E_SERVICE_UNAVAILABLE } from '../errors.js'
import { CONSOLE_OUTPUT, ensureConsoleBuilt } from './build.js'

/**
 * Outside production, how long one look at console/ answers page loads: a
 * reload storm walks the sources once, and an edit is built on the first load
 * this long after the last look (about the time it takes to switch windows).
 */
export const SOURCE_CHECK_INTERVAL_MS = 2_000

/**
 * The console's script and stylesheet come from this origin and call its API;
 * styles set from script go through the CSSOM, so no 'unsafe-inline' at all.
 */
const CONSOLE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

/** Built file names are vite's `<name>-<hash>.<ext>`: nothing else is served. */
const ASSET = /^[\w-]+\.(js|css|svg|woff2?)$/

let checkedAt: number | null = null

/**
 * In production the build is checked once per process, for being there only:
 * production ships it built and never reads console/. Elsewhere the sources
 * are compared at most once per SOURCE_CHECK_INTERVAL_MS, to pick up edits.
 */
async function built() {
  if (checkedAt !== null && (app.inProduction || Date.now() - checkedAt < SOURCE_CHECK_INTERVAL_MS))
    return
  try {
    await ensureConsoleBuilt({ sources: !app.inProduction })
    checkedAt = Date.now()
  } catch (error) {
    if (existsSync(join(CONSOLE_OUTPUT, 'index.html'))) return
    throw new E_SERVICE_UNAVAILABLE([], {
      details: { console: (error as Error).message.split('\n')[0] },
      hint: 'The admin console is not built: run `npm run build:console` where the dev dependencies are installed.',
    })
  }
}

/** GET /console and everything under it: the built assets, and index.html for the rest (client routes). */
export default class ConsoleController {
  async show(ctx: HttpContext) {
    ctx.response.header('Content-Security-Policy', CONSOLE_POLICY)
    const rest: string[] = ctx.params['*'] ?? []
    if (rest[0] === 'assets') {
      const file =
        rest.length === 2 && ASSET.test(rest[1]) ? join(CONSOLE_OUTPUT, 'assets', rest[1]) : null
      if (!file || !existsSync(file))
        throw new E_NOT_FOUND([ctx.request.method(), ctx.request.url()])
      // Names carry a content hash: a changed file is a new name.
      ctx.response.header('Cache-Control', 'public, max-age=31536000, immutable')
      return ctx.response.download(file, true)
    }
    await built()
    ctx.response.header('Cache-Control', 'no-cache')
    return ctx.response.download(join(CONSOLE_OUTPUT, 'index.html'), true)
  }
}
