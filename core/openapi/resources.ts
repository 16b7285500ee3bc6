import type { Tenant } from '../tenancy/types.js'
import type { JsonSchema } from './schemas.js'

/** Paths (`/api/v1/...` keyed, OpenAPI path items) and component schemas to merge into the document. */
export type OpenApiContribution = {
  paths?: Record<string, Record<string, unknown>>
  schemas?: Record<string, JsonSchema>
}

/**
 * What the resource engine knows about its routes: each resource's record
 * schema, filters, sorting and pagination, and for a tenant its custom fields.
 * `tenant` is null for the generic document.
 */
export type ResourceOpenApi = (options: {
  tenant: Tenant | null
}) => OpenApiContribution | Promise<OpenApiContribution>

let resourceOpenApi: ResourceOpenApi | null = null

/**
 * The hook for core/resources: it registers its `resourceOpenApi()` here once
 * at boot, and GET /api/v1/openapi.json merges the result over the operations
 * derived from the router (its operations win for the same path and method).
 * Until it does, resource routes appear as the router lists them.
 */
export function useResourceOpenApi(fn: ResourceOpenApi | null) {
  resourceOpenApi = fn
}

export async function resourceContribution(tenant: Tenant | null): Promise<OpenApiContribution> {
  return resourceOpenApi ? resourceOpenApi({ tenant }) : {}
}
