import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { E_NUL_CHARACTER } from '../../errors.js'

/*
 * Refuses a NUL character (U+0000) anywhere in what a request carries: path
 * parameters, query string, headers, body values and keys at any depth.
 * PostgreSQL cannot store it in text, and no client has a reason to send it;
 * refused here, once, every route answers 400 ERR_NUL_CHARACTER instead of
 * failing deep inside a query with a 500. Runs after the body parser.
 */

const NUL = '\u0000'

/** The path (`name`, `items.2.title`) of the first string or key holding NUL, or null. */
function findNul(value: unknown, path: string, seen = 0): string | null {
  if (seen > 64) return null
  if (typeof value === 'string') return value.includes(NUL) ? path || '(value)' : null
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, path ? `${path}.${index}` : String(index), seen + 1)
      if (found) return found
    }
    return null
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key
      if (key.includes(NUL)) return at
      const found = findNul(item, at, seen + 1)
      if (found) return found
    }
  }
  return null
}

export default class RefuseNulMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const request = ctx.request
    const places: Array<[string, unknown]> = [
      ['path', ctx.params],
      ['query', request.qs()],
      ['header', request.headers()],
      ['body', request.body()],
    ]
    for (const [where, value] of places) {
      const field = findNul(value, '')
      if (field) throw new E_NUL_CHARACTER([where], { details: [{ where, field }] })
    }
    // What the query parser leaves out (past its parameter or depth limits) still counts.
    if (/%00/i.test(request.parsedUrl.query ?? ''))
      throw new E_NUL_CHARACTER(['query'], { details: [{ where: 'query', field: '(query)' }] })
    return next()
  }
}
