import { E_TENANT_NOT_FOUND } from '../tenancy/errors.js'
import { describeOperations } from './operations.js'

/* GET /api/v1/openapi.json, described like every route (core/openapi/routes.ts). */
describeOperations({
  'GET /api/v1/openapi.json': {
    summary: 'This document',
    description:
      'OpenAPI 3.1, not enveloped. With a tenant (X-Tenant-ID, its domain or subdomain): only the ' +
      'plugins it enabled, with its custom fields; without: every route of every available plugin.',
    tags: ['Meta'],
    security: [],
    optionalTenant: true,
    raw: { contentType: 'application/json', schema: { type: 'object' } },
    errors: [E_TENANT_NOT_FOUND],
  },
})
