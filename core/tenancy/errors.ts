import { defineError } from '../oryne_error.js'

/* Tenancy */
export const E_TENANT_NOT_FOUND = defineError(
  'ERR_TENANT_NOT_FOUND',
  404,
  'No tenant "%s"',
  'Check the domain, subdomain or X-Tenant-ID header; `oryne tenant list` shows the tenants.'
)
export const E_TENANT_SUSPENDED = defineError(
  'ERR_TENANT_SUSPENDED',
  403,
  'Tenant "%s" is suspended',
  'Contact your platform administrator.'
)
export const E_TENANT_NOT_READY = defineError(
  'ERR_TENANT_NOT_READY',
  503,
  'Tenant "%s" is not ready (%s)',
  'Provisioning is under way or failed; retry after the Retry-After delay.'
)
export const E_TENANT_ARCHIVED = defineError('ERR_TENANT_ARCHIVED', 410, 'Tenant "%s" is archived')
export const E_NO_TENANT_CONTEXT = defineError(
  'ERR_NO_TENANT_CONTEXT',
  500,
  'Tenant data was touched outside a tenant context',
  'Run the code inside tenancy.run(tenant, ...) or a tenant-scoped route, job or command.'
)
export const E_TENANT_SLUG_TAKEN = defineError(
  'ERR_TENANT_SLUG_TAKEN',
  409,
  'The slug "%s" is already used by another tenant',
  'Pick another slug.'
)
export const E_TENANT_INVALID_TRANSITION = defineError(
  'ERR_TENANT_INVALID_TRANSITION',
  409,
  'Tenant "%s" cannot go from %s to %s',
  'See docs/tenancy.md for the lifecycle.'
)
export const E_TENANT_DOMAIN_TAKEN = defineError(
  'ERR_TENANT_DOMAIN_TAKEN',
  409,
  'The domain "%s" already belongs to a tenant'
)
export const E_TENANT_DOMAIN_NOT_FOUND = defineError(
  'ERR_TENANT_DOMAIN_NOT_FOUND',
  404,
  'Tenant "%s" has no domain "%s"'
)
export const E_CONFIRMATION_REQUIRED = defineError(
  'ERR_CONFIRMATION_REQUIRED',
  400,
  '%s',
  'Pass --yes (CLI) or "force": true (API) to confirm.'
)
export const E_INVOICE_NOT_FOUND = defineError(
  'ERR_INVOICE_NOT_FOUND',
  404,
  'Tenant "%s" has no invoice "%s"'
)
export const E_INVOICE_ALREADY_PAID = defineError(
  'ERR_INVOICE_ALREADY_PAID',
  409,
  'Invoice "%s" is already paid'
)
