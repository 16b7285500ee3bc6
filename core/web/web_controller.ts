import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { E_NOT_FOUND, E_SERVICE_UNAVAILABLE } from '../errors.js'
import { frontEndServer } from '../utils/front_end.js'
import { webFrontEnd } from './build.js'

let serve: ReturnType<typeof frontEndServer> | undefined

/**
 * GET /app and everything under it (docs/web.md): the built assets, the
 * service worker and web app manifest at the app's root, and index.html for
 * the rest (client routes).
 */
export default class WebController {
  async show(ctx: HttpContext) {
    serve ??= frontEndServer(webFrontEnd, {
      inProduction: () => app.inProduction,
      rootFiles: ['sw.js', 'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png'],
      unavailable: (reason) =>
        new E_SERVICE_UNAVAILABLE([], {
          details: { web: reason },
          hint: 'The web app is not built: run `npm run build:web` where the dev dependencies are installed.',
        }),
    })
    return serve(
      ctx.params['*'] ?? [],
      ctx.response,
      () => new E_NOT_FOUND([ctx.request.method(), ctx.request.url()])
    )
  }
}
