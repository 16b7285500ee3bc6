import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import * as errors from '../errors.js'
import type { OryneErrorClass } from '../errors.js'
import type { Tenant } from '../tenancy/types.js'
import {
  describedRoute,
  operationDoc,
  schemaOf,
  type OperationDoc,
  type SecuritySchemeName,
} from './operations.js'
import { resourceContribution } from '../resources/openapi.js'
import { coreSchemas, errorOf, locationHeader, successOf, type JsonSchema } from './schemas.js'
import './core_operations.js'

/** A route as the router registered it, with what the document needs from it. */
type RouteInfo = {
  method: string
  pattern: string
  middleware: Array<{ name?: string; args?: any }>
  matchers: Record<string, { match?: RegExp }>
  handler: unknown
}

type Operation = Record<string, any>

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

const AUTH_ERRORS = [
  errors.E_AUTH_REQUIRED,
  errors.E_AUTH_INVALID_TOKEN,
  errors.E_AUTH_TOKEN_EXPIRED,
  errors.E_AUTH_TENANT_MISMATCH,
  errors.E_AUTH_SESSION_ENDED,
]
const API_KEY_ERRORS = [errors.E_AUTH_API_KEY_EXPIRED, errors.E_AUTH_API_KEY_REVOKED]
const TENANT_ERRORS = [
  errors.E_TENANT_NOT_FOUND,
  errors.E_TENANT_SUSPENDED,
  errors.E_TENANT_ARCHIVED,
  errors.E_TENANT_NOT_READY,
]

const SECURITY_SCHEMES: Record<SecuritySchemeName, JsonSchema> = {
  tenantUser: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'Access token of a tenant user, from POST /api/v1/auth/login (15 minutes); valid only on the tenant it was issued for.',
  },
  platformUser: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token of a platform user, from POST /api/v1/platform/auth/login.',
  },
  platformToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The static ORYNE_PLATFORM_TOKEN of the deployment, for automation: every platform route, and tenant routes acting as the platform.',
  },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      "A tenant's partner API key (`oryne_...`), limited to its scopes; also accepted as `Authorization: Bearer oryne_...`.",
  },
}

const TAGS: Record<string, string> = {
  'Auth': 'Sign-in of tenant users (docs/auth.md)',
  'Tenant': 'The tenant of the request',
  'Platform: auth': 'Sign-in of platform users',
  'Platform: tenants': 'Tenants: creation, lifecycle, domains, billing (docs/tenancy.md)',
  'Platform: plugins': 'Installed plugins and their state per tenant (docs/plugins.md)',
  'Platform: queues': 'Background jobs',
  'Meta': 'This document',
  'Platform: fleet': 'Schema migrations across every tenant (docs/operations.md)',
  'Admin: api-keys': 'Partner API keys of the tenant, limited to their scopes (docs/auth.md)',
  'Admin: audit': 'Who changed what, when (docs/audit.md)',
  'Admin: backups': "The tenant's own backups (docs/operations.md)",
  'Admin: notifications':
    'Templates, default channels, failed deliveries and notices (docs/notifications.md)',
  'Admin: plugins': 'Modules this tenant turns on and off, and their settings (docs/plugins.md)',
  'Admin: resources': 'Custom fields a tenant adds to plugin resources (docs/resources.md)',
  'Admin: roles': 'Roles and their permissions (docs/rbac.md)',
  'Admin: users': 'Accounts of the tenant: invitations, roles, access (docs/auth.md)',
  'Admin: reports': 'Scheduled reports (docs/reports.md)',
  'Admin: webhooks': 'Outgoing webhooks (docs/webhooks.md)',
  'Collections': 'Collections a tenant admin defines, and their records (docs/collections.md)',
  'Collections: automations':
    'What happens when a record of a collection is created or updated, or on a schedule, with the log of every run (docs/collections.md)',
  'Collections: forms':
    'Forms of a collection, public ones for people without an account included (docs/collections.md)',
  'Collections: views':
    'Saved list, board, calendar and gallery views of a collection (docs/collections.md)',
  'Files': 'Uploads, downloads and the storage quota (docs/storage.md)',
  'Notifications':
    'Your in-app notifications, their live stream and your channels (docs/notifications.md)',
  'Reports': 'Exports, PDF documents and the dashboard (docs/reports.md)',
  'Search': "Search across the tenant's searchable resources (docs/search.md)",
  'Webhooks': 'Outgoing webhooks (docs/webhooks.md)',
  'Web app': 'What the web app at /app shows the signed-in user (docs/web.md)',
}

/** Core tags first, in this order (auth, the tenant, its admin, the platform); plugins after. */
const TAG_ORDER = ['Auth', 'Tenant', 'Admin', 'Platform', 'Meta']

function byTagOrder(a: string, b: string) {
  const rank = (tag: string) => {
    const index = TAG_ORDER.findIndex((prefix) => tag === prefix || tag.startsWith(`${prefix}:`))
    return index === -1 ? TAG_ORDER.length : index
  }
  return rank(a) - rank(b) || a.localeCompare(b)
}

const HEADERS: Record<string, JsonSchema> = {
  'X-Request-Id': {
    description: 'The request id (also meta.request_id); send your own to correlate.',
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': {
    description: 'Requests allowed in the window of the caller’s tier.',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the window starts again.',
    schema: { type: 'integer' },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer' },
  },
}

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` })
const API_HEADERS = Object.fromEntries(
  ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'].map(
    (name) => [name, headerRef(name)]
  )
)

/** Every route the router serves, one entry per method (HEAD left out: it mirrors GET). */
export function registeredRoutes(): RouteInfo[] {
  const routes: RouteInfo[] = []
  for (const domainRoutes of Object.values(router.toJSON())) {
    for (const route of domainRoutes as any[]) {
      const middleware = [...(route.middleware?.all?.() ?? [])].map((entry: any) => ({
        name: entry.name,
        args: entry.args,
      }))
      for (const method of route.methods as string[]) {
        if (method === 'HEAD') continue
        routes.push({
          method,
          pattern: route.pattern,
          middleware,
          matchers: route.matchers ?? {},
          handler: route.handler,
        })
      }
    }
  }
  return routes
}

/** `/tenants/:slug` -> `/tenants/{slug}`; a parameter matched by `^(a|b)$` gives one path per value. */
function openApiPaths(route: RouteInfo): Array<{ path: string; params: string[] }> {
  let variants = [{ path: '', params: [] as string[] }]
  for (const segment of route.pattern.split('/').slice(1)) {
    let pieces: Array<{ text: string; param?: string }>
    if (segment.startsWith(':')) {
      const name = segment.slice(1).replace(/\?$/, '')
      const values = /^\^\(?([\w|-]+)\)?\$$/.exec(route.matchers[name]?.match?.source ?? '')
      pieces = values
        ? values[1].split('|').map((text) => ({ text }))
        : [{ text: `{${name}}`, param: name }]
    } else if (segment === '*') {
      pieces = [{ text: '{wildcard}', param: 'wildcard' }]
    } else {
      pieces = [{ text: segment }]
    }
    variants = variants.flatMap((variant) =>
      pieces.map((piece) => ({
        path: `${variant.path}/${piece.text}`,
        params: piece.param ? [...variant.params, piece.param] : variant.params,
      }))
    )
  }
  return variants
}

function operationId(method: string, path: string, taken: Set<string>) {
  const words = path
    .split('/')
    .filter((part) => part && part !== 'api' && part !== 'v1')
    .map((part) => (part.startsWith('{') ? `by-${part.slice(1, -1)}` : part))
    .join('-')
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
  let id = method.toLowerCase() + words.join('')
  for (let n = 2; taken.has(id); n++) id = `${method.toLowerCase()}${words.join('')}${n}`
  taken.add(id)
  return id
}

function tagOf(route: RouteInfo, plugin: string | undefined) {
  if (plugin) return plugin
  const [first, second] = route.pattern.split('/').slice(3)
  if (first === 'platform') return `Platform: ${second}`
  if (first === 'admin') return `Admin: ${second}`
  return first ? first[0].toUpperCase() + first.slice(1) : 'API'
}

/** Who may call a route, from its middleware (plugin routes check the caller's permissions). */
function securityOf(route: RouteInfo, plugin: string | undefined): SecuritySchemeName[] {
  const names = new Set(route.middleware.map((entry) => entry.name))
  if (names.has('platformToken')) return ['platformUser', 'platformToken']
  if (names.has('tenantAdmin')) return ['tenantUser', 'apiKey', 'platformToken']
  const auth = route.middleware.find((entry) => entry.name === 'auth')
  if (auth) return [auth.args?.guard === 'platform' ? 'platformUser' : 'tenantUser']
  if (plugin) return ['tenantUser', 'apiKey', 'platformToken']
  return []
}

/** Adds catalog errors to a status -> codes map. */
function addErrors(byStatus: Map<number, Set<string>>, list: OryneErrorClass[]) {
  for (const error of list) {
    if (!byStatus.has(error.status)) byStatus.set(error.status, new Set())
    byStatus.get(error.status)!.add(error.code)
  }
}

/** A body is required when its schema requires a property (or is not an object); all-optional bodies may be left out. */
function bodyRequired(doc: OperationDoc) {
  if (doc.multipart) return true
  const schema = schemaOf(doc.body!) as { type?: unknown; required?: string[] }
  return schema.type !== 'object' || (schema.required?.length ?? 0) > 0
}

function buildOperation(
  route: RouteInfo,
  path: string,
  params: string[],
  doc: OperationDoc | undefined,
  taken: Set<string>
): Operation {
  const plugin = route.middleware.find((entry) => entry.name === 'pluginEnabled')?.args?.plugin
  const tenantRoute = route.middleware.some((entry) => entry.name === 'tenant')
  const security = doc?.security ?? securityOf(route, plugin)
  const byStatus = new Map<number, Set<string>>()
  // Any request: a path or query that does not parse or holds NUL, the rate limit, a fault.
  addErrors(byStatus, [
    errors.E_BAD_REQUEST,
    errors.E_NUL_CHARACTER,
    errors.E_RATE_LIMITED,
    errors.E_INTERNAL,
  ])
  if (tenantRoute || doc?.optionalTenant) addErrors(byStatus, TENANT_ERRORS)
  if (plugin) addErrors(byStatus, [errors.E_PLUGIN_DISABLED])
  if (security.length) addErrors(byStatus, AUTH_ERRORS)
  if (security.includes('apiKey')) addErrors(byStatus, API_KEY_ERRORS)
  if (security.length && (plugin || route.middleware.some((m) => m.name === 'tenantAdmin')))
    addErrors(byStatus, [errors.E_FORBIDDEN])
  if (security.includes('platformUser') && security.includes('platformToken'))
    addErrors(byStatus, [errors.E_FORBIDDEN])
  const hasBody = BODY_METHODS.has(route.method)
  if (hasBody)
    addErrors(byStatus, [
      errors.E_PAYLOAD_TOO_LARGE,
      errors.E_BODY_ENCODING_INVALID,
      errors.E_UNSUPPORTED_MEDIA_TYPE,
    ])
  if (doc?.body || doc?.query || doc?.multipart) addErrors(byStatus, [errors.E_VALIDATION])
  addErrors(byStatus, doc?.errors ?? [])

  const parameters: unknown[] = params.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }))
  if (tenantRoute || doc?.optionalTenant)
    parameters.push({ $ref: '#/components/parameters/TenantId' })
  if (doc?.query) {
    const query = schemaOf(doc.query) as {
      properties?: Record<string, unknown>
      required?: string[]
    }
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({
        name,
        in: 'query',
        required: query.required?.includes(name) ?? false,
        schema,
      })
    }
  }

  const status = String(doc?.status ?? 200)
  const success = doc?.raw
    ? {
        description: doc.summary,
        content: { [doc.raw.contentType]: doc.raw.schema ? { schema: doc.raw.schema } : {} },
      }
    : {
        description: 'Success',
        headers: API_HEADERS,
        content: { 'application/json': { schema: successOf(doc?.data ?? {}, doc?.paginated) } },
      }

  const responses: Record<string, unknown> = {
    [status]: doc?.location
      ? { ...success, headers: { ...success.headers, Location: locationHeader(doc.location) } }
      : success,
  }
  for (const other of doc?.alsoStatus ?? []) responses[String(other)] = success
  for (const [code, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [...codes].sort()
    responses[String(code)] = {
      description: list.join(', '),
      // The rate-limit headers come with every answer (info.description says so); an error states
      // only Retry-After, where it matters. Repeating them on every error made the document
      // too heavy for the API reference page to render.
      ...(code === 429 ? { headers: { 'Retry-After': headerRef('Retry-After') } } : {}),
      content: { 'application/json': { schema: errorOf(list) } },
    }
  }

  return {
    operationId: operationId(route.method, path, taken),
    ...(doc?.summary ? { summary: doc.summary } : {}),
    ...(doc?.description ? { description: doc.description } : {}),
    tags: doc?.tags ?? [tagOf(route, plugin)],
    security: security.map((name) => ({ [name]: [] })),
    ...(parameters.length ? { parameters } : {}),
    ...(hasBody && (doc?.body || doc?.multipart)
      ? {
          requestBody: {
            required: bodyRequired(doc),
            content: {
              ...(doc.body ? { 'application/json': { schema: schemaOf(doc.body) } } : {}),
              ...(doc.multipart ? { 'multipart/form-data': { schema: doc.multipart } } : {}),
            },
          },
        }
      : {}),
    responses,
  }
}

/**
 * A contributed operation (the resource engine's) over the one derived from the
 * route: its own fields win; the derived responses, security and parameters it
 * does not state are kept (rate limits, tenant errors, X-Tenant-ID).
 */
function mergeOperation(derived: Operation | undefined, contributed: Operation): Operation {
  if (!derived) return contributed
  const key = (parameter: any) => parameter.$ref ?? `${parameter.in}:${parameter.name}`
  const parameters = [...(contributed.parameters ?? []), ...(derived.parameters ?? [])].filter(
    (parameter, index, all) => all.findIndex((other) => key(other) === key(parameter)) === index
  )
  return {
    ...derived,
    ...contributed,
    operationId: contributed.operationId ?? derived.operationId,
    security: contributed.security ?? derived.security,
    ...(parameters.length ? { parameters } : {}),
    responses: {
      // The contributed success answers replace the derived one (a create's 201, not a generic 200).
      ...Object.fromEntries(
        Object.entries(derived.responses ?? {}).filter(
          ([status]) =>
            !status.startsWith('2') ||
            !Object.keys(contributed.responses ?? {}).some((s) => s.startsWith('2'))
        )
      ),
      ...contributed.responses,
    },
  }
}

/** Each available plugin's description (its tag's), by name. */
async function describedPlugins(): Promise<Record<string, string>> {
  const plugins = await app.container.make('oryne.plugins')
  return Object.fromEntries(
    plugins
      .available()
      .map(({ manifest }) => [manifest.name, manifest.description ?? `The ${manifest.name} plugin`])
  )
}

/** Drops component schemas nothing refers to (a resource whose create or update is turned off). */
function withoutUnusedSchemas(document: Record<string, any>) {
  const text = JSON.stringify({ ...document, components: { ...document.components, schemas: {} } })
  const schemas = document.components.schemas as Record<string, unknown>
  const used = new Set<string>()
  let frontier = [...text.matchAll(/#\/components\/schemas\/([\w.-]+)/g)].map((m) => m[1])
  while (frontier.length) {
    const next: string[] = []
    for (const name of frontier) {
      if (used.has(name) || !schemas[name]) continue
      used.add(name)
      const inner = JSON.stringify(schemas[name])
      next.push(...[...inner.matchAll(/#\/components\/schemas\/([\w.-]+)/g)].map((m) => m[1]))
    }
    frontier = next
  }
  document.components.schemas = Object.fromEntries(
    Object.entries(schemas).filter(([name]) => used.has(name))
  )
  return document
}

export type DocumentOptions = {
  version: string
  /** The tenant the request named: its enabled plugins only, with its custom fields. */
  tenant: Tenant | null
  /** Whether a plugin's routes belong in the document (for a tenant: the enabled ones). */
  includePlugin?: (plugin: string) => boolean | Promise<boolean>
  /** Where the API is served: the request's own origin, or the configured one. */
  servers?: Array<{ url: string; description?: string }>
}

/**
 * The OpenAPI 3.1 document of the API, generated from the routes the router
 * serves under /api/v1 (all of them), the descriptions of core_operations.ts,
 * the catalog of errors, and what the resource engine contributes.
 */
export async function buildOpenApiDocument(options: DocumentOptions) {
  const paths: Record<string, Record<string, Operation>> = {}
  const taken = new Set<string>()
  const usedTags = new Set<string>()
  const leftOut = new Set<string>()
  for (const route of registeredRoutes()) {
    if (!route.pattern.startsWith('/api/v1/')) continue
    const plugin = route.middleware.find((entry) => entry.name === 'pluginEnabled')?.args?.plugin
    if (plugin && options.includePlugin && !(await options.includePlugin(plugin))) {
      leftOut.add(plugin)
      continue
    }
    const doc = operationDoc(route.method, route.pattern) ?? describedRoute(route.handler)
    for (const { path, params } of openApiPaths(route)) {
      const operation = buildOperation(route, path, params, doc, taken)
      for (const tag of operation.tags) usedTags.add(tag)
      paths[path] ??= {}
      paths[path][route.method.toLowerCase()] = operation
    }
  }

  const contribution = await resourceContribution(options.tenant)
  for (const [path, item] of Object.entries(contribution.paths ?? {})) {
    if (leftOut.has(path.split('/')[3])) continue
    paths[path] ??= {}
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      paths[path][method] = mergeOperation(paths[path][method], operation)
      for (const tag of operation.tags ?? []) usedTags.add(tag)
    }
  }

  const pluginDescriptions = await describedPlugins()
  const errorCodes = [...new Set(errors.definedErrors().map((error) => error.code))].sort()

  return withoutUnusedSchemas({
    openapi: '3.1.0',
    info: {
      title: options.tenant ? `Oryne API — ${options.tenant.name}` : 'Oryne API',
      version: options.version,
      license: { name: 'Proprietary (UNLICENSED)' },
      description: [
        'Every JSON answer is the envelope `{success, data, meta, error}`; errors carry a stable',
        '`error.code` from the catalog (docs/errors.md). Tenant routes find their tenant by custom',
        'domain, subdomain, or the `X-Tenant-ID` header. Requests are rate-limited per caller and',
        'tenant (`X-RateLimit-*` headers, 429 `ERR_RATE_LIMITED` with `Retry-After`). A method a',
        'path does not list answers 405 `ERR_METHOD_NOT_ALLOWED` with an `Allow` header.',
      ].join(' '),
    },
    servers: options.servers?.length
      ? options.servers
      : [{ url: 'http://localhost:3333', description: 'A local `oryne up`' }],
    ...(options.tenant ? { 'x-tenant': { id: options.tenant.id, slug: options.tenant.slug } } : {}),
    tags: [...usedTags].sort(byTagOrder).map((name) => ({
      name,
      ...(TAGS[name] || pluginDescriptions[name]
        ? { description: TAGS[name] ?? pluginDescriptions[name] }
        : {}),
    })),
    paths,
    components: {
      schemas: {
        ...coreSchemas,
        ErrorCode: { type: 'string', enum: errorCodes, description: 'See docs/errors.md.' },
        ...contribution.schemas,
      },
      parameters: {
        TenantId: {
          name: 'X-Tenant-ID',
          in: 'header',
          required: false,
          description:
            'Tenant slug or id, when the host (custom domain or subdomain) does not name it.',
          schema: { type: 'string' },
        },
      },
      headers: HEADERS,
      securitySchemes: SECURITY_SCHEMES,
    },
  })
}
