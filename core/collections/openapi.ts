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
      // not decode), a delete's included: the generic document lists 400 for every operation.
      const responses = (operation.responses ??= {})
      if (!responses['400'] && responses['404'])
        responses['400'] = {
          description: 'ERR_BAD_REQUEST or ERR_NUL_CHARACTER: the path or query does not parse',
          content: responses['404'].content,
        }
    }
  return document
}
