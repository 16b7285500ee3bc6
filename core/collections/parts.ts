import { collectionOpenApi } from './openapi.js'
import { collectionPermissions } from './registry.js'

/*
 * What the resource engine's lower layers read of the current tenant's
 * collections: the permissions their records check (the roles API accepts
 * them) and their part of the tenant's OpenAPI document. Bound in the
 * container as `oryne.collections`, so that core/rbac and core/resources
 * reach collections without importing them (core/collections imports both).
 */
export const tenantCollectionParts = {
  permissions: collectionPermissions,
  openApi: collectionOpenApi,
}

export type TenantCollectionParts = typeof tenantCollectionParts
