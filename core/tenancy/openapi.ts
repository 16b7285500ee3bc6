import { describeOperations } from '../openapi/operations.js'
import { arrayOf, ref, type JsonSchema } from '../openapi/schemas.js'
import { E_PLUGIN_NOT_FOUND, E_PLUGIN_UNAVAILABLE } from '../plugins/errors.js'
import {
  E_CONFIRMATION_REQUIRED,
  E_INVOICE_ALREADY_PAID,
  E_INVOICE_NOT_FOUND,
  E_TENANT_DOMAIN_NOT_FOUND,
  E_TENANT_DOMAIN_TAKEN,
  E_TENANT_INVALID_TRANSITION,
  E_TENANT_NOT_FOUND,
  E_TENANT_SLUG_TAKEN,
} from './errors.js'
import {
  createTenantValidator,
  domainValidator,
  invoiceValidator,
  listTenantsValidator,
  paymentValidator,
  transitionValidator,
  updateTenantValidator,
} from './validators.js'

const TENANTS = ['Platform: tenants']
const domains: JsonSchema = {
  type: 'object',
  properties: { domains: arrayOf({ type: 'string' }) },
  required: ['domains'],
}

/* The tenancy routes (core/tenancy/routes.ts): the platform's tenants and the tenant of a request. */
describeOperations({
  'GET /api/v1/tenant': {
    summary: 'The tenant of the request',
    tags: ['Tenant'],
    security: [],
    data: ref('TenantProfile'),
  },

  'GET /api/v1/platform/tenants': {
    summary: 'List tenants',
    tags: TENANTS,
    query: listTenantsValidator,
    data: arrayOf(ref('Tenant')),
    paginated: true,
  },
  'POST /api/v1/platform/tenants': {
    summary: 'Create a tenant',
    description: 'Registers the tenant and queues its provisioning (202); `Location` names it.',
    tags: TENANTS,
    status: 202,
    location: '/api/v1/platform/tenants/{slug}',
    body: createTenantValidator,
    data: ref('Tenant'),
    errors: [E_TENANT_SLUG_TAKEN, E_PLUGIN_NOT_FOUND, E_PLUGIN_UNAVAILABLE],
  },
  'GET /api/v1/platform/tenants/:slug': {
    summary: 'A tenant with its domains, plugins and history',
    tags: TENANTS,
    data: ref('Tenant'),
    errors: [E_TENANT_NOT_FOUND],
  },
  'PATCH /api/v1/platform/tenants/:slug': {
    summary: 'Change a tenant (name, plan, settings, paid_until)',
    tags: TENANTS,
    body: updateTenantValidator,
    data: ref('Tenant'),
    errors: [E_TENANT_NOT_FOUND],
  },
  'DELETE /api/v1/platform/tenants/:slug': {
    summary: "Delete an archived tenant's data for good",
    tags: TENANTS,
    body: transitionValidator,
    data: ref('Tenant'),
    errors: [E_TENANT_NOT_FOUND, E_TENANT_INVALID_TRANSITION, E_CONFIRMATION_REQUIRED],
  },
  'POST /api/v1/platform/tenants/:slug/:action': {
    summary: 'Lifecycle transition',
    description: 'suspend, resume, archive, restore, or retry a failed provisioning (202).',
    tags: TENANTS,
    body: transitionValidator,
    data: ref('Tenant'),
    errors: [E_TENANT_NOT_FOUND, E_TENANT_INVALID_TRANSITION],
  },
  'POST /api/v1/platform/tenants/:slug/domains': {
    summary: 'Add a custom domain',
    tags: TENANTS,
    status: 201,
    body: domainValidator,
    data: domains,
    errors: [E_TENANT_NOT_FOUND, E_TENANT_DOMAIN_TAKEN],
  },
  'DELETE /api/v1/platform/tenants/:slug/domains/:domain': {
    summary: 'Remove a custom domain',
    tags: TENANTS,
    data: domains,
    errors: [E_TENANT_NOT_FOUND, E_TENANT_DOMAIN_NOT_FOUND],
  },
  'GET /api/v1/platform/tenants/:slug/invoices': {
    summary: "A tenant's invoices",
    tags: TENANTS,
    data: arrayOf({ type: 'object' }),
    errors: [E_TENANT_NOT_FOUND],
  },
  'POST /api/v1/platform/tenants/:slug/invoices': {
    summary: 'Record an invoice',
    tags: TENANTS,
    status: 201,
    body: invoiceValidator,
    data: { type: 'object' },
    errors: [E_TENANT_NOT_FOUND],
  },
  'POST /api/v1/platform/tenants/:slug/invoices/:number/pay': {
    summary: 'Mark an invoice paid',
    description:
      '`paid_until` moves to the end of its period; a tenant suspended for non-payment resumes.',
    tags: TENANTS,
    body: paymentValidator,
    data: {
      type: 'object',
      properties: { invoice: { type: 'object' }, tenant: ref('Tenant') },
      required: ['invoice', 'tenant'],
    },
    errors: [E_TENANT_NOT_FOUND, E_INVOICE_NOT_FOUND, E_INVOICE_ALREADY_PAID],
  },
})
