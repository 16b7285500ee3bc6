import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { respond } from '../../envelope.js'
import { principalOf } from '../../../rbac/authorize.js'
import {
  searchableResource,
  searchableResources,
  searchMany,
} from '../../../search/search_service.js'

const searchQuery = vine.compile(
  vine.object({
    q: vine.string().trim().minLength(1).maxLength(200),
    types: vine.string().trim().maxLength(1000).optional(),
    page: vine.number().withoutDecimals().min(1).max(100).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(100).optional(),
  })
)

/**
 * GET /api/v1/search?q=&types=erp.students,lms.courses&page=&per_page= — the
 * searchable resources the caller may list (or those named), ranked and
 * merged; row rules and field visibility as in each list endpoint.
 */
export default class SearchController {
  async index(ctx: HttpContext) {
    const input = await searchQuery.validate(ctx.request.qs())
    const principal = await principalOf(ctx)
    const models = input.types
      ? await Promise.all(
          [...new Set(input.types.split(',').map((type) => type.trim()))]
            .filter(Boolean)
            .map(searchableResource)
        )
      : await searchableResources(principal)
    const page = input.page ?? 1
    const perPage = input.per_page ?? 20
    const { hits, total } = await searchMany(models, input.q, { principal, page, perPage })
    respond(ctx, hits, {
      pagination: {
        page,
        per_page: perPage,
        total,
        last_page: Math.max(1, Math.ceil(total / perPage)),
      },
    })
  }
}
