import { ResourceCatalog } from '../resources/catalog.js'
import { resourceOpenApi, type ResourceOpenApi } from '../resources/openapi.js'
import { collectionsOfTenant, TenantResourceCatalog } from './registry.js'

/*
 * The current tenant's collections in its OpenAPI document: each one's paths
 * (/api/v1/collections/<name>, /api/v1/collections/<name>/{id}) and record
 * schemas, built by the resource engine as a plugin resource's are. The
 * document without a tenant has only the generic /api/v1/collections/{name}.
 */
export async function collectionOpenApi(): Promise<ResourceOpenApi> {
  const { catalog } = await collectionsOfTenant()
  if (!catalog.collections.size) return { paths: {}, components: { schemas: {} } }
  return resourceOpenApi(new TenantResourceCatalog(new ResourceCatalog([]), catalog.collections))
}
