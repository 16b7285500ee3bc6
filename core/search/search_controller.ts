import type { HttpContext } from '@adonisjs/core/http'
import { respond } from '../http/envelope.js'
import { searchQuery } from './validators.js'
import { principalOf } from '../rbac/authorize.js'
import { customFieldsOf } from '../resources/custom_fields.js'
import { parseListQuery } from '../resources/query.js'
import {
  searchableResource,
  searchableResources,
  searchMany,
  oneTypeOnly,
} from './search_service.js'

/**
 * The query string split into the search's own parameters and the
 * `filter[...]` ones (for the list endpoint's parser). Read from the raw
 * string: the framework's parser turns `a,b` into an array.
 */
function readQuery(queryString: string | null | undefined) {
  const own: Record<string, string> = {}
  const filters = new URLSearchParams()
  for (const [key, value] of new URLSearchParams(queryString ?? ''))
    if (key.startsWith('filter[')) filters.append(key, value)
    else own[key] = value
  return { own, filters }
}

/**
 * GET /api/v1/search?q=&types=erp.students,lms.courses&page=&per_page= — the
 * searchable resources the caller may list (or those named), ranked and
 * merged; row rules and field visibility as in each list endpoint. With one
 * type, `facets=status,active` counts the matches per value and
 * `filter[status]=active` narrows them, as on the list endpoint.
 */
export default class SearchController {
  async index(ctx: HttpContext) {
    const { own, filters } = readQuery(ctx.request.parsedUrl.query)
    const input = await searchQuery.validate(own)
    const principal = await principalOf(ctx)
    const models = input.types
      ? await Promise.all(
          [...new Set(input.types.split(',').map((type) => type.trim()))]
            .filter(Boolean)
            .map(searchableResource)
        )
      : await searchableResources(principal)
    if (filters.size) oneTypeOnly(models)
    const parsed = filters.size
      ? parseListQuery(models[0], filters.toString(), await customFieldsOf(models[0]), principal)
          .filters
      : []
    const facets = input.facets
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean)
    const page = input.page ?? 1
    const perPage = input.per_page ?? 20
    const {
      hits,
      total,
      facets: counts,
    } = await searchMany(models, input.q, {
      principal,
      page,
      perPage,
      filters: parsed,
      facets,
    })
    respond(ctx, hits, {
      pagination: {
        page,
        per_page: perPage,
        total,
        last_page: Math.max(1, Math.ceil(total / perPage)),
      },
      ...(counts ? { meta: { facets: counts } } : {}),
    })
  }
}
