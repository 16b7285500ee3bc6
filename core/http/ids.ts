import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import type { OryneErrorClass } from '../errors.js'

/*
 * Record ids in URLs and bodies. Resource ids are bigints sent as digit
 * strings; anything else is refused before it reaches SQL, so a junk id is
 * the same answer as an unknown one and never a database error.
 */

const DIGITS = /^\d{1,18}$/

/** A VineJS schema of an id in a body or query: 1 to 18 digits, kept as a string. */
export function vineId() {
  return vine.string().trim().regex(DIGITS)
}

/**
 * A reader of digits-only route parameters that answers a junk id with the
 * plugin's not-found error, called with `[what, value]` (the value cut to 40
 * characters): `const param = defineIdParam(E_LIBRARY_NOT_FOUND)`, then
 * `param(ctx, 'Loan')` reads `:id` and `param(ctx, 'Title', 'title_id')` another.
 * `digits` narrows the length for `integer` columns (9 keeps under 2^31).
 */
export function defineIdParam(notFound: OryneErrorClass, options: { digits?: number } = {}) {
  const pattern = options.digits ? new RegExp(`^\\d{1,${options.digits}}$`) : DIGITS
  return (ctx: HttpContext, what: string, name = 'id'): string => {
    const value = String(ctx.params[name])
    if (!pattern.test(value)) throw new notFound([what, value.slice(0, 40)])
    return value
  }
}
