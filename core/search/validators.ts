import vine from '@vinejs/vine'

/** GET /api/v1/search: the search's own parameters (`filter[...]` ones go to the list parser). */
export const searchQuery = vine.compile(
  vine.object({
    q: vine.string().trim().minLength(1).maxLength(200),
    types: vine.string().trim().maxLength(1000).optional(),
    facets: vine.string().trim().maxLength(500).optional(),
    page: vine.number().withoutDecimals().min(1).max(100).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(100).optional(),
  })
)
