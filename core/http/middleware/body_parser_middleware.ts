import BodyParserMiddleware from '@adonisjs/core/bodyparser_middleware'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/*
 * AdonisJS's body parser, except on routes whose handler reads the request
 * stream itself: the parser would consume any body it knows (JSON, forms, and
 * every text/* type as "raw"), leaving the handler an empty stream — a
 * presigned upload of a text/plain or text/csv file stored 0 bytes.
 */

/** `METHOD pattern` of the routes that stream their own body. */
const STREAMED = new Set(['PUT /api/v1/uploads/:id/content'])

export default class BodyParser {
  async handle(ctx: HttpContext, next: NextFn) {
    if (ctx.route && STREAMED.has(`${ctx.request.method()} ${ctx.route.pattern}`)) return next()
    const parser = await app.container.make(BodyParserMiddleware)
    return parser.handle(ctx, next)
  }
}
