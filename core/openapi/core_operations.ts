import { describeOperations } from './operations.js'
import { reportOperations } from '../reports/openapi.js'
// Platform services describe their routes next to their code.
import '../webhooks/openapi.js'
import './docs_operations.js'
import '../auth/openapi.js'
import '../rbac/openapi.js'
import '../jobs/openapi.js'
import '../tenancy/openapi.js'
import '../plugins/openapi.js'
import '../storage/openapi.js'
import '../notifications/stream_openapi.js'
import '../notifications/openapi.js'
import '../search/openapi.js'
import '../backup/openapi.js'
import '../fleet/openapi.js'

/*
 * The core routes, described once. Request schemas are the routes' own
 * VineJS validators; answers are the schemas of schemas.ts.
 */

/* Reports (docs/reports.md): exports, documents, the dashboard and scheduled reports. */
describeOperations(reportOperations)

describeOperations({})
