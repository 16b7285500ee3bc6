import { E_FORBIDDEN, E_RECORD_NOT_FOUND, E_VALIDATION } from '../errors.js'
import {
  describeOperations,
  type OperationDoc,
  type SecuritySchemeName,
} from '../openapi/operations.js'
import { arrayOf, type JsonSchema } from '../openapi/schemas.js'
import {
  E_DOCUMENT_UNKNOWN,
  E_EXPORT_NOT_FOUND,
  E_REPORT_FORMAT_UNKNOWN,
  E_REPORT_RESOURCE_UNKNOWN,
  E_REPORT_SCHEDULE_INVALID,
  E_REPORT_SUBSCRIPTION_NOT_FOUND,
} from './errors.js'
import { exportValidator, subscriptionValidator } from './validators.js'

/* The reports routes as the OpenAPI document describes them (docs/reports.md). */

const nullableTime: JsonSchema = { type: ['string', 'null'], format: 'date-time' }

const exportSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    resource: { type: 'string' },
    format: { enum: ['csv', 'xlsx'] },
    status: { enum: ['queued', 'running', 'completed', 'failed'] },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    row_count: { type: 'integer' },
    total_rows: { type: ['integer', 'null'] },
    error: { type: ['string', 'null'] },
    file: {
      type: ['object', 'null'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        size: { type: 'integer' },
        content_type: { type: 'string' },
      },
    },
    download: {
      type: ['object', 'null'],
      properties: { url: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' } },
    },
    created_at: nullableTime,
    started_at: nullableTime,
    finished_at: nullableTime,
  },
  required: ['id', 'resource', 'format', 'status', 'progress', 'row_count'],
}

const subscriptionSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { enum: ['export', 'digest'] },
    title: { type: 'string' },
    user_id: { type: 'string', format: 'uuid' },
    resource: { type: ['string', 'null'] },
    format: { type: ['string', 'null'] },
    query: { type: 'string' },
    cron: { type: 'string' },
    time_zone: { type: 'string' },
    next_run_at: { type: 'string', format: 'date-time' },
    last_run_at: nullableTime,
    created_by: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'kind', 'cron', 'time_zone', 'next_run_at'],
}

const tag = 'Reports'

/** Tenant routes that find their caller themselves (principalOf): a user, an API key or the platform. */
const signedIn: SecuritySchemeName[] = ['tenantUser', 'apiKey', 'platformToken']

const reportOperations: Record<string, OperationDoc> = {
  'POST /api/v1/exports': {
    security: signedIn,
    summary: 'Export a resource list to CSV or XLSX (a queued job)',
    description:
      'The same filters, sort, search, fields, permissions and row rules as the list endpoint of ' +
      'the resource (`filters: { status: "active", admitted_on: { gte: "2026-01-01" } }`). ' +
      'Follow it with GET /api/v1/exports/:id.',
    tags: [tag],
    status: 202,
    location: '/api/v1/exports/{id}',
    body: exportValidator,
    data: exportSchema,
    errors: [E_REPORT_RESOURCE_UNKNOWN, E_REPORT_FORMAT_UNKNOWN, E_FORBIDDEN, E_VALIDATION],
  },
  'GET /api/v1/exports/:id': {
    security: signedIn,
    summary: 'An export: status, progress, row count and, once done, a signed download link',
    tags: [tag],
    data: exportSchema,
    errors: [E_EXPORT_NOT_FOUND],
  },
  'GET /api/v1/documents': {
    security: signedIn,
    summary: 'The PDF documents of the enabled modules the caller may ask for',
    tags: [tag],
    data: arrayOf({
      type: 'object',
      properties: {
        key: { type: 'string' },
        title: { type: 'string' },
        description: { type: ['string', 'null'] },
        resource: { type: 'string' },
      },
      required: ['key', 'title', 'resource'],
    }),
  },
  'GET /api/v1/documents/:document/:id': {
    security: signedIn,
    summary:
      'A PDF document (`erp.fee_receipt`, `erp.invoice`, `lms.report_card`, ...) of a record',
    description:
      "Rendered in the tenant's locale, currency and time zone. Whoever may read the record may " +
      'have the document; a record the caller may not reach is not found.',
    tags: [tag],
    raw: { contentType: 'application/pdf', schema: { type: 'string', format: 'binary' } },
    errors: [E_DOCUMENT_UNKNOWN, E_RECORD_NOT_FOUND, E_FORBIDDEN],
  },
  'GET /api/v1/dashboard': {
    security: signedIn,
    summary: 'The dashboard figures of the enabled modules the caller may see (cached)',
    tags: [tag],
    data: {
      type: 'object',
      properties: {
        stats: arrayOf({
          type: 'object',
          properties: {
            key: { type: 'string' },
            plugin: { type: 'string' },
            label: { type: 'string' },
            description: { type: ['string', 'null'] },
            value: {},
            computed_at: { type: 'string', format: 'date-time' },
            cached: { type: 'boolean' },
          },
          required: ['key', 'label', 'value', 'computed_at', 'cached'],
        }),
      },
      required: ['stats'],
    },
  },
  'GET /api/v1/admin/reports/subscriptions': {
    summary: 'Scheduled reports (needs core.reports.manage)',
    tags: [tag],
    data: arrayOf(subscriptionSchema),
  },
  'POST /api/v1/admin/reports/subscriptions': {
    summary: 'Subscribe a user to an export or a dashboard digest on a cron schedule',
    description:
      "The cron expression is read in the tenant's time zone; each run acts as the recipient and " +
      'reaches them through the notification service (core.report_ready, core.report_digest).',
    tags: [tag],
    status: 201,
    body: subscriptionValidator,
    data: subscriptionSchema,
    errors: [
      E_REPORT_SCHEDULE_INVALID,
      E_REPORT_RESOURCE_UNKNOWN,
      E_REPORT_FORMAT_UNKNOWN,
      E_FORBIDDEN,
    ],
  },
  'DELETE /api/v1/admin/reports/subscriptions/:id': {
    summary: 'Unsubscribe (the schedule is removed)',
    tags: [tag],
    data: { type: 'object' },
    errors: [E_REPORT_SUBSCRIPTION_NOT_FOUND],
  },
}

/* The report routes (core/reports/routes.ts). */
describeOperations(reportOperations)
