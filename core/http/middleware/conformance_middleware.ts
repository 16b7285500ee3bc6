import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { checkAnswer, keepViolations } from '../../openapi/conformance.js'

const version = JSON.parse(readFileSync(app.makePath('package.json'), 'utf8')).version as string

/**
 * Test runs only (ORYNE_CONFORMANCE=1, see start/kernel.ts): compares every
 * finished answer with the OpenAPI document (core/openapi/conformance.ts).
 */
export default class ConformanceMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    ctx.response.response.once('finish', () => {
      const response = ctx.response
      if (response.hasStream || response.hasFileToStream) return
      const header = response.response.getHeader('content-type')
      // respond() hands the framework the JSON text: compare what the client reads, the parsed value.
      let body: unknown = response.getBody()
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        try {
          body = JSON.parse(String(body))
        } catch {
          // Not JSON: the content type decides below whether a schema applies.
        }
      }
      void checkAnswer(
        {
          method: ctx.request.method(),
          urlPath: ctx.request.url(),
          status: response.response.statusCode,
          contentType: typeof header === 'string' ? header : undefined,
          body,
          // The framework's own copy: headers handed to writeHead() are not kept by node.
          headers: response.getHeaders(),
          requestId: ctx.request.id(),
        },
        version
      )
        .then(keepViolations)
        .catch((error) => ctx.logger.error({ err: error }, 'conformance check failed'))
    })
    return next()
  }
}
