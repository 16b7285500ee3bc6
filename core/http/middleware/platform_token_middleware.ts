import { timingSafeEqual, createHash } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import env from '#start/env'
import { E_AUTH_INVALID_TOKEN, E_AUTH_REQUIRED } from '../../errors.js'

function digest(value: string) {
  return createHash('sha256').update(value).digest()
}

/**
 * Guards /api/v1/platform routes with the static ORYNE_PLATFORM_TOKEN until
 * platform users and JWTs exist (identity issue), which will replace it.
 */
export default class PlatformTokenMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const header = ctx.request.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw new E_AUTH_REQUIRED()
    const expected = env.get('ORYNE_PLATFORM_TOKEN')?.release()
    // Hashing first makes the comparison constant-time whatever the lengths.
    if (!expected || !timingSafeEqual(digest(match[1]), digest(expected)))
      throw new E_AUTH_INVALID_TOKEN()
    return next()
  }
}
