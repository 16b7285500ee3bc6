import { Route } from '@adonisjs/core/http'
import type { OryneErrorClass } from '../errors.js'
import type { JsonSchema } from './schemas.js'

/** What the document can say about a route beyond what the router knows. */
export type OperationDoc = {
  summary: string
  description?: string
  tags?: string[]
  /**
   * Who may call it: any one of these security schemes (see document.ts);
   * `[]` for a public route. Absent: derived from the route's middleware.
   */
  security?: SecuritySchemeName[]
  /** The request body: a compiled VineJS validator (its toJSONSchema()) or a JSON Schema. */
  body?: SchemaSource
  /** A multipart/form-data body (file uploads), as a JSON Schema of its fields; with `body`, either is accepted. */
  multipart?: JsonSchema
  /** The query string, the same way; each property becomes a query parameter. */
  query?: SchemaSource
  /** Schema of `data` in the success envelope. */
  data?: JsonSchema
  /** Success status (200 unless said). */
  status?: number
  /**
   * The answer of `status` (a create's 201, a queued job's 202) carries a `Location`
   * header naming the new record: this says which, e.g. `/api/v1/library/loans/{id}`.
   * The conformance check fails such an answer without one (docs/api.md, "Conventions").
   */
  location?: string
  /** Other success statuses with the same answer (e.g. 200 when a create found nothing new). */
  alsoStatus?: number[]
  /** `meta.pagination` is present. */
  paginated?: boolean
  /** Catalog errors the route raises besides those its middleware and validation imply. */
  errors?: OryneErrorClass[]
  /** Reads the tenant when the request names one (X-Tenant-ID, domain), without needing it. */
  optionalTenant?: boolean
  /** Answered without the envelope, in this content type (e.g. the OpenAPI document, HTML). */
  raw?: { contentType: string; schema?: JsonSchema }
}

export type SecuritySchemeName = 'tenantUser' | 'platformUser' | 'platformToken' | 'apiKey'

export type SchemaSource = JsonSchema | { toJSONSchema(): unknown }

/** The JSON Schema of a VineJS validator, or the schema itself. */
export function schemaOf(source: SchemaSource): JsonSchema {
  const schema =
    typeof source.toJSONSchema === 'function'
      ? ((source as { toJSONSchema(): unknown }).toJSONSchema() as JsonSchema)
      : (source as JsonSchema)
  return withoutEmptyRequired(schema)
}

/** VineJS writes `required: []` for objects without required properties; drop it (noise). */
function withoutEmptyRequired(schema: JsonSchema): JsonSchema {
  if (!schema || typeof schema !== 'object') return schema
  if (Array.isArray(schema)) return schema.map((item) => withoutEmptyRequired(item)) as never
  const copy: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required' && Array.isArray(value) && value.length === 0) continue
    copy[key] =
      value && typeof value === 'object' ? withoutEmptyRequired(value as JsonSchema) : value
  }
  return copy
}

const operations = new Map<string, OperationDoc>()

/**
 * Documents routes by `"<METHOD> <pattern>"` as the router has them
 * (`"POST /api/v1/auth/login"`). Routes nobody describes still appear in the
 * document, with what their middleware tells (security, tenant, errors).
 */
export function describeOperations(docs: Record<string, OperationDoc>) {
  for (const [key, doc] of Object.entries(docs)) operations.set(key, doc)
}

export function operationDoc(method: string, pattern: string): OperationDoc | undefined {
  return operations.get(`${method} ${pattern}`)
}

/*
 * Routes described where they are declared (plugins' custom routes, and any
 * route whose pattern is only known after its group's prefix):
 *
 *   router.post('/circulation/issue', handler).describe({ summary, body, status: 201, errors })
 *
 * The description is kept by the route's handler, which the router's table
 * (router.toJSON(), ctx.route) carries as it is: so the document and the
 * conformance check find it whatever prefix the group adds.
 */
const byHandler = new WeakMap<object, OperationDoc>()

declare module '@adonisjs/core/http' {
  interface Route {
    /** Describes the route in the OpenAPI document (docs/api.md, "Describing a route"). */
    describe(doc: OperationDoc): this
  }
}

Route.macro('describe', function (this: Route, doc: OperationDoc) {
  const handler = this.toJSON().handler
  if (handler && typeof handler === 'object') byHandler.set(handler, doc)
  else if (typeof handler === 'function') byHandler.set(handler, doc)
  return this
})

/** The description a route carries (see Route#describe), by the handler of its table entry. */
export function describedRoute(handler: unknown): OperationDoc | undefined {
  return handler && (typeof handler === 'object' || typeof handler === 'function')
    ? byHandler.get(handler)
    : undefined
}

/** `multipart:` of a route that takes one file in the field "file" (docs/api.md, "Describing a route"). */
export const fileUpload: JsonSchema = {
  type: 'object',
  properties: { file: { type: 'string', format: 'binary' } },
  required: ['file'],
}

/** `data:` of an answer that is one stored row: its `id` and the keys named, whatever their types. */
export function storedRow(...required: string[]): JsonSchema {
  return {
    type: 'object',
    required: ['id', ...required],
    properties: Object.fromEntries(['id', ...required].map((key) => [key, {}])),
  }
}
