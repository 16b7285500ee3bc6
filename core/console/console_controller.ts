import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { E_NOT_FOUND, E_SERVICE_UNAVAILABLE } from '../errors.js'
import { frontEndServer } from '../utils/front_end.js'
import { consoleFrontEnd } from './build.js'

export { SOURCE_CHECK_INTERVAL_MS } from '../utils/front_end.js'

let serve: ReturnType<typeof frontEndServer> | undefined

/** GET /console and everything under it: the built assets, and index.html for the rest (client routes). */
export default class ConsoleController {
  async show(ctx: HttpContext) {
    serve ??= frontEndServer(consoleFrontEnd, {
      inProduction: () => app.inProduction,
      unavailable: (reason) =>
        new E_SERVICE_UNAVAILABLE([], {
          details: { console: reason },
          hint: 'The admin console is not built: run `npm run build:console` where the dev dependencies are installed.',
        }),
    })
    return serve(
      ctx.params['*'] ?? [],
      ctx.response,
      () => new E_NOT_FOUND([ctx.request.method(), ctx.request.url()])
    )
  }
}
