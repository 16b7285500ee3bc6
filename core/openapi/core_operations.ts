/*
 * Each core capability describes its routes in its own openapi.ts, beside its
 * routes.ts, controller, validators and errors; importing them here puts them
 * in the document (document.ts imports this module).
 */
import '../auth/openapi.js'
import '../backup/openapi.js'
import '../fleet/openapi.js'
import '../jobs/openapi.js'
import '../notifications/openapi.js'
import '../notifications/stream_openapi.js'
import '../plugins/openapi.js'
import '../rbac/openapi.js'
import '../reports/openapi.js'
import '../search/openapi.js'
import '../storage/openapi.js'
import '../tenancy/openapi.js'
import '../webhooks/openapi.js'
import './docs_operations.js'
