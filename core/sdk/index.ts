/*
 * The Oryne SDK: everything a plugin may use from core, behind one import path
 * (`@oryne/sdk`, the workspace package in packages/sdk). Built-in and
 * third-party plugins import nothing else from core. Test helpers live in
 * `@oryne/sdk/testing`.
 */

/* Declaring a plugin */
export {
  definePlugin,
  definePluginCommand,
  type BuiltinRole,
  type CalendarEntry,
  type CalendarQuery,
  type DemoContext,
  type DemoPerson,
  type Holiday,
  type NotificationTemplate,
  type PluginCommand,
  type PluginCommandContext,
  type PluginManifest,
  type PluginSettingsDeclaration,
  type PrivacyContext,
  type PrivacyHooks,
} from '../plugins/define_plugin.js'
export { defineSettings } from '../plugins/settings.js'

/* Low-code resources */
export {
  defineResource,
  field,
  type DecimalFieldOptions,
  type FieldDefinition,
  type FieldOptions,
  type FieldType,
  type HookContext,
  type NumberFieldOptions,
  type ReferenceFieldOptions,
  type ResourceAction,
  type ResourceDefinition,
  type ResourceHooks,
  type ResourcePrincipal,
  type ResourceRecord,
  type RowRule,
  type RowRuleQuery,
  type RowRuleSubquery,
  type StringFieldOptions,
} from '../resources/define_resource.js'
export { crudPermissions } from '../resources/permissions.js'
export {
  isUniqueViolation,
  onUniqueViolation,
  uniqueConflict,
} from '../resources/unique_violation.js'

/* Tenant data */
export {
  defineTenantMigration,
  type TenantMigration,
} from '../tenancy/migrations/define_tenant_migration.js'
export { withTenantDb, readTenantDb, type TenantTable } from '../tenancy/tenant_db.js'
export { createSearchIndexes } from '../search/document.js'
export type {
  QueryClientContract as QueryClient,
  TransactionClientContract as Trx,
} from '@adonisjs/lucid/types/database'
export { tenantCacheKey, tenantStoragePath } from '../tenancy/scoping.js'
export { tenantContext } from '../tenancy/context.js'
export {
  addDays,
  daysBetween,
  isoDate,
  tenantDate,
  tenantToday,
  tenantZone,
} from '../tenancy/dates.js'
export { TenantModel } from '../tenancy/tenant_model.js'
export type { Tenant } from '../tenancy/types.js'

/* HTTP */
export { respond, type Envelope, type Pagination } from '../http/envelope.js'
export {
  actorOf,
  authorize,
  permits,
  principalOf,
  userIdOf,
  type Principal,
} from '../rbac/authorize.js'
export { invalidField } from '../http/validation.js'
export type { HttpContext, Router } from '@adonisjs/core/http'
export { defineIdParam, vineId } from '../http/ids.js'
/* Describing a custom route for the OpenAPI document: `router.post(...).describe({...})` (docs/api.md). */
export { fileUpload, storedRow, type OperationDoc } from '../openapi/operations.js'
import '../openapi/operations.js'

/* Validation: the host's VineJS, so that schemas and errors are the ones Oryne reports. */
export { default as vine } from '@vinejs/vine'

/* Services */
export { emitEvent, type EventHandler, type OryneEvent } from '../events/events.js'
export { recordAudit, diffRecords, type AuditEntry } from '../audit/audit.js'
export { defineJob } from '../jobs/define_job.js'
export type { JobContext, JobDefinition } from '../jobs/types.js'
export { pluginSettings } from './settings.js'
export { dispatchJob, signingKey, tenantFilePath, tenantUsers } from './services.js'
export { insertRows, seededRandom } from './demo.js'
export {
  assertNotHoliday,
  calendarEntries,
  holidayOn,
  holidaysBetween,
  E_HOLIDAY,
} from '../plugins/calendar.js'
export type { JobsService } from '../jobs/jobs_service.js'
export type { MultipartFile } from '@adonisjs/core/bodyparser'
export {
  notify,
  type Channel,
  type NotifyInput,
  type NotifyResult,
  type Priority,
} from '../notifications/index.js'
export { search, type SearchHit, type SearchOptions, type SearchPage } from '../search/index.js'
export {
  absoluteLink,
  deleteFile,
  fileUrl,
  findFile,
  readFile,
  storeFile,
  uploadContentType,
  type FileLink,
  type FileRecord,
  type StoreFileOptions,
} from '../storage/index.js'

/* Outbound HTTP: the one client for every call to the outside (docs/operations.md, "Security"). */
export {
  isOutboundError,
  outboundJson,
  outboundRequest,
  type OutboundError,
  type OutboundRequest,
  type OutboundResponse,
} from '../outbound/client.js'

/* Errors: catalog errors a plugin may throw, and defineError for its own `E_*` codes. */
export {
  defineError,
  OryneError,
  E_BAD_REQUEST,
  E_FORBIDDEN,
  E_NOT_FOUND,
  E_VALIDATION,
} from '../errors.js'

/* Reports: PDF documents and dashboard statistics a plugin declares in its manifest (docs/reports.md). */
export {
  defineDocument,
  defineStat,
  type DocumentContext,
  type DocumentDefinition,
  type DocumentWriter,
  type StatDefinition,
  type StatValue,
  type TableColumn,
  type TenantFormat,
} from '../reports/index.js'

/* Online payments: checkout sessions at the tenant's card gateway for a plugin's purposes (docs/plugins.md). */
export {
  cardGatewayConfig,
  createCheckoutSession,
  expireCheckout,
  GATEWAY_SIGNATURE_HEADER,
  latestCheckouts,
  onlinePaymentsEnabled,
  openCheckout,
  parseGatewayEvent,
  paymentErrors,
  refundSession,
  registerPaymentPurpose,
  signGatewayPayload,
  unmatchedCheckouts,
  verifyGatewaySignature,
  type CardGatewayConfig,
  type CheckoutInput,
  type GatewayEvent,
  type PaymentPurpose,
  type PaymentSession,
} from '../payments/index.js'

/* Presigned uploads: a plugin registers its purposes (limits per purpose, docs/storage.md). */
export { registerUploadPurpose, type UploadPurpose } from '../storage/index.js'
