import app from '@adonisjs/core/services/app'
import { E_FORBIDDEN, E_RESOURCE_NOT_FOUND, E_VALIDATION } from '../errors.js'
import { tenantResourceModel, tenantResourceModels } from '../collections/registry.js'
import type { ResourcePrincipal } from '../resources/define_resource.js'
import type { ResourceModel } from '../resources/model.js'
import { facetableFields } from './facets.js'
import { highlightsOf } from './highlight.js'
import { byRelevance, PostgresSearchDriver } from './postgres_driver.js'
import { TypesenseSearchDriver } from './typesense_driver.js'
import type { SearchDriver, SearchHit, SearchOptions } from './types.js'

/** The driver ORYNE_SEARCH_DRIVER names: `postgres` (default) or `typesense` (TYPESENSE_URL, TYPESENSE_API_KEY). */
export function configuredSearchDriver(): SearchDriver {
  const url = process.env.TYPESENSE_URL
  return process.env.ORYNE_SEARCH_DRIVER === 'typesense' && url
    ? new TypesenseSearchDriver(url, process.env.TYPESENSE_API_KEY ?? '')
    : new PostgresSearchDriver()
}

/** The driver of this process: the container's `oryne.search`. */
export function searchDriver(): Promise<SearchDriver> {
  return app.container.make('oryne.search')
}

/** A searchable resource of a plugin the current tenant enabled or a collection of it, by `<plugin>.<resource>`. */
export async function searchableResource(key: string): Promise<ResourceModel> {
  const model = await tenantResourceModel(key)
  if (!model) throw new E_RESOURCE_NOT_FOUND([key])
  if (!model.searchFields.length)
    throw new E_VALIDATION([], {
      details: [{ field: 'types', rule: 'searchable', message: `${key} has no searchable fields` }],
    })
  return model
}

/** Every searchable resource of the tenant (enabled plugins, collections) that the principal may list. */
export async function searchableResources(principal: ResourcePrincipal) {
  const models = await tenantResourceModels()
  return models
    .filter((model) => model.searchFields.length)
    .filter((model) => model.permissions.list !== false && principal.can(model.permissions.list))
}

/**
 * Searches one resource of the current tenant with the configured driver:
 * the list endpoint's permission, row rules and field visibility apply.
 */
export async function search(
  resource: string | ResourceModel,
  query: string,
  options: SearchOptions
) {
  const model = typeof resource === 'string' ? await searchableResource(resource) : resource
  assertMayList(model, options.principal)
  if (options.facets?.length) {
    const allowed = new Set(facetableFields(model, options.principal).map((field) => field.name))
    const unknown = options.facets.filter((name) => !allowed.has(name))
    if (unknown.length)
      throw new E_VALIDATION([], {
        details: unknown.map((name) => ({
          field: 'facets',
          rule: 'facetable',
          message: `${name} is not a facet of ${model.key}; use one of ${[...allowed].join(', ') || '(none)'}`,
        })),
      })
  }
  const driver = await searchDriver()
  const found = await driver.search(model, query, options)
  for (const hit of found.hits) withHighlights([model], hit, query)
  return found
}

/** Search shows what the list endpoint shows: its permission applies. */
function assertMayList(model: ResourceModel, principal: ResourcePrincipal) {
  const permission = model.permissions.list
  if (permission === false || !principal.can(permission))
    throw new E_FORBIDDEN([`this needs the ${permission || `${model.key}.read`} permission`])
}

/** Facets and filters are fields of one resource: refuses them over several. */
export function oneTypeOnly(models: ResourceModel[]) {
  if (models.length !== 1)
    throw new E_VALIDATION([], {
      details: [
        {
          field: 'types',
          rule: 'single_type',
          message: 'facets and filters apply to one resource: name exactly one in types',
        },
      ],
    })
}

/**
 * Searches several resources at once (the `/api/v1/search` endpoint): each
 * ranked by the driver (PostgreSQL: all in one statement, the trigram
 * fallback only when no resource matched a word), merged by score, one page
 * of the merged list.
 */
export async function searchMany(
  models: ResourceModel[],
  query: string,
  options: SearchOptions & { page: number; perPage: number }
) {
  if (options.facets?.length || options.filters?.length) oneTypeOnly(models)
  if (models.length === 1) return search(models[0], query, options)
  for (const model of models) assertMayList(model, options.principal)
  const window = options.page * options.perPage
  const driver = await searchDriver()
  // PostgreSQL answers every resource in one statement; other drivers are asked once per resource.
  const { hits, total } =
    driver instanceof PostgresSearchDriver
      ? await driver.searchMany(models, query, { ...options, window })
      : await searchEach(models, query, { ...options, page: 1, perPage: window })
  const page = hits
    .sort(byRelevance)
    .slice((options.page - 1) * options.perPage, options.page * options.perPage)
  for (const hit of page) withHighlights(models, hit, query)
  return { hits: page, total }
}

async function searchEach(models: ResourceModel[], query: string, options: SearchOptions) {
  const driver = await searchDriver()
  const pages = await Promise.all(models.map((model) => driver.search(model, query, options)))
  return {
    hits: pages.flatMap((found) => found.hits),
    total: pages.reduce((sum, found) => sum + found.total, 0),
  }
}

function withHighlights(models: ResourceModel[], hit: SearchHit, query: string) {
  const model = models.find((candidate) => candidate.key === hit.type)!
  const highlights = highlightsOf(model, hit.record, query)
  if (Object.keys(highlights).length) hit.highlights = highlights
}
