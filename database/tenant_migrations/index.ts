import type { TenantMigrationSet } from '#core/tenancy/migrations/define_tenant_migration'
import identity from './0001_identity.js'
import auditLog from './0002_audit_log.js'
import sessions from './0003_sessions.js'
import customFields from './0004_custom_fields.js'
import accessControl from './0005_access_control.js'
import notifications from './0006_notifications.js'
import files from './0007_files.js'
import platformServices from './0008_platform_services.js'
import reports from './0009_reports.js'
import pluginGrants from './0010_plugin_grants.js'
import payments from './0011_payments.js'
import paymentSessionGateway from './0012_payment_session_gateway.js'
import collections from './0013_collections.js'
import collectionFormSubmissions from './0014_collection_form_submissions.js'
import collectionAutomationRuns from './0015_collection_automation_runs.js'

/** Core's migrations of every tenant schema, in order. Plugins bring their own sets. */
export const coreTenantMigrations: TenantMigrationSet = {
  owner: 'core',
  migrations: [
    identity,
    auditLog,
    sessions,
    customFields,
    accessControl,
    notifications,
    files,
    platformServices,
    reports,
    pluginGrants,
    payments,
    paymentSessionGateway,
    collections,
    collectionFormSubmissions,
    collectionAutomationRuns,
  ],
}
