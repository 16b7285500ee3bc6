/*
 * Core routes: each capability mounts its own, from its folder (core/<capability>/routes.ts,
 * beside its controller, validators, errors and openapi.ts); plugin routes are mounted under
 * /api/v1/<plugin> by the plugin host. The order below is the router's (and the document's).
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { platformAuthRoutes, tenantAuthRoutes } from '#core/auth/routes'
import { backupRoutes } from '#core/backup/routes'
import { fleetRoutes } from '#core/fleet/routes'
import { healthRoutes } from '#core/health/routes'
import { queuesRoutes } from '#core/jobs/routes'
import { notificationRoutes, notificationStreamRoutes } from '#core/notifications/routes'
import { metricsRoutes } from '#core/observability/routes'
import { docsRoutes } from '#core/openapi/routes'
import { platformPluginRoutes, pluginCatalogRoutes, tenantPluginRoutes } from '#core/plugins/routes'
import { accessAdminRoutes } from '#core/rbac/routes'
import { searchRoutes } from '#core/search/routes'
import { storageRoutes } from '#core/storage/routes'
import { platformTenantRoutes, tenantProfileRoutes } from '#core/tenancy/routes'
import { webhookRoutes } from '#core/webhooks/routes'

healthRoutes(router)
metricsRoutes(router)
docsRoutes(router)

/* Platform API: platform admins, across tenants. */
queuesRoutes(router, middleware)
platformTenantRoutes(router, middleware)
platformPluginRoutes(router, middleware)

tenantProfileRoutes(router, middleware)

/*
 * Tenant administration (docs/auth.md): a tenant user's access token, a partner API key or the
 * platform token; each action checks its permission (TenantAdmin holds them all).
 */
accessAdminRoutes(router, middleware)
tenantPluginRoutes(router, middleware)

/* Identity: tenant users sign in on their tenant, platform users on the platform (docs/auth.md). */
tenantAuthRoutes(router, middleware)
platformAuthRoutes(router, middleware)

/* Notifications (docs/notifications.md): the signed-in user's inbox and preferences, the admin's settings. */
notificationRoutes(router, middleware)

/* Search across the tenant's searchable resources (docs/search.md). */
searchRoutes(router, middleware)

/* Presigned uploads, the storage quota and tenant files (docs/storage.md). */
storageRoutes(router, middleware)

/* Outbound webhooks (docs/webhooks.md): endpoints, deliveries and redelivery (core.webhooks.manage). */
webhookRoutes(router, middleware)

/* Reports (docs/reports.md): exports, PDF documents, the dashboard and scheduled reports. */
const { reportRoutes } = await import('#core/reports/routes')
reportRoutes(router, middleware)

/*
 * Admin console (docs/console.md): the built page at /console, and the few API routes it needed
 * that the public API lacked: the module catalog and uninstall dry run for tenant admins, the
 * institution's backups (core.backups.manage), the fleet's migration state for platform admins.
 */
const { registerConsoleRoutes } = await import('#core/console/routes')
registerConsoleRoutes()

/* Online payments (core/payments): the card gateway's webhook and the provider settings. */
const { registerPaymentRoutes } = await import('#core/payments/routes')
registerPaymentRoutes()

/* The web app for everyone at school (docs/web.md): the built page at /app and its context route. */
const { registerWebRoutes } = await import('#core/web/routes')
registerWebRoutes()

/* The console's API routes (any client may use them): the module catalog, backups, the fleet. */
pluginCatalogRoutes(router, middleware)
backupRoutes(router, middleware)
fleetRoutes(router, middleware)

/* Tenant collections, their views, forms and automations (docs/collections.md). */
const { collectionRoutes } = await import('#core/collections/routes')
collectionRoutes(router, middleware)

/* The signed-in user's live stream of in-app notifications (server-sent events, docs/notifications.md). */
notificationStreamRoutes(router, middleware)
