import { ResourceCatalog } from '../resources/catalog.js'
import { resourceOpenApi, type ResourceOpenApi } from '../resources/openapi.js'
import { collectionsOfTenant, TenantResourceCatalog } from './registry.js'

/*
 * The current tenant's collections in its OpenAPI document: each one's paths
 * (/api/v1/collections/<name>, /api/v1/collections/<name>/{id}) and record
 * schemas, built by the resource engine as a plugin resource's are. The
 * document without a tenant has only the generic /api/v1/collections/{name}.
 */
type Operation = {
  tags?: string[]
  security?: unknown[]
  parameters?: unknown[]
  responses?: Record<string, { description: string; content?: unknown }>
}

const SECURITY = ['tenantUser', 'apiKey', 'platformToken']
const TENANT_PARAMETER = { $ref: '#/components/parameters/TenantId' }
const ANY_REQUEST = {
  400: 'ERR_BAD_REQUEST or ERR_NUL_CHARACTER: the path or query does not parse',
  429: 'ERR_RATE_LIMITED: too many requests; retry after the Retry-After header',
  500: 'ERR_INTERNAL: something went wrong on the server; report the request id',
}

export async function collectionOpenApi(): Promise<ResourceOpenApi> {
  const { catalog } = await collectionsOfTenant()
  if (!catalog.collections.size) return { paths: {}, components: { schemas: {} } }
  const document = resourceOpenApi(
    new TenantResourceCatalog(new ResourceCatalog([]), catalog.collections)
  )
  // What the document derives for the generic routes (/api/v1/collections/{name}), which these
  // paths are instances of: one tag, who may call, and the tenant header.
  for (const item of Object.values(document.paths))
    for (const operation of Object.values(item) as Operation[]) {
      operation.tags = ['Collections']
      operation.security = SECURITY.map((name) => ({ [name]: [] }))
      operation.parameters = [...(operation.parameters ?? []), TENANT_PARAMETER]
      // Any request may be refused before its route (a NUL in the path or query, a path that does
      // not decode, the rate limit) or fail: the generic document lists these for every operation.
      const responses = (operation.responses ??= {})
      const content = responses['404']?.content
      for (const [status, description] of Object.entries(ANY_REQUEST))
        if (content && !responses[status]) responses[status] = { description, content }
    }
  return document
}
