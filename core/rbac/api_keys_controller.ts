import type { HttpContext } from '@adonisjs/core/http'
import { apiKeys } from '../auth/api_keys.js'
import { E_VALIDATION } from '../errors.js'
import { abilities, allow, assertAllowed } from './abilities.js'
import { actorOf } from './authorize.js'
import { createApiKeyValidator } from './validators.js'
import { clock } from '../auth/clock.js'
import { respond } from '../http/envelope.js'

/** /api/v1/admin/api-keys: partner access keys (core.api_keys.manage). */
export default class ApiKeysController {
  async index(ctx: HttpContext) {
    await allow(ctx, abilities.manageApiKeys)
    respond(ctx, await apiKeys.list())
  }

  async show(ctx: HttpContext) {
    await allow(ctx, abilities.manageApiKeys)
    respond(ctx, await apiKeys.get(ctx.params.id))
  }

  /** The key is in this answer only; keep it, it cannot be shown again. */
  async store(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageApiKeys)
    const input = await createApiKeyValidator.validate(ctx.request.body())
    if (input.expires_at && input.expires_at.getTime() <= clock.now().getTime()) {
      throw new E_VALIDATION([], {
        details: [
          { field: 'expires_at', rule: 'after', message: 'The expiry must be in the future' },
        ],
      })
    }
    await assertAllowed(principal, abilities.grant, input.scopes)
    const { key, api_key: created } = await apiKeys.create(input, { actor: actorOf(principal) })
    respond(
      ctx,
      { ...created, key },
      { status: 201, location: `/api/v1/admin/api-keys/${created.id}` }
    )
  }

  async revoke(ctx: HttpContext) {
    const principal = await allow(ctx, abilities.manageApiKeys)
    respond(ctx, await apiKeys.revoke(ctx.params.id, { actor: actorOf(principal) }))
  }
}
