/*
 * JSON Schemas (OpenAPI 3.1 is JSON Schema 2020-12) of what core routes answer.
 * Request bodies come from the VineJS validators themselves (toJSONSchema()),
 * so they cannot drift from what the API accepts; answers are written here once.
 */

export type JsonSchema = Record<string, unknown>

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` })

const string = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra })
const dateTime = (nullable = false): JsonSchema =>
  nullable
    ? { type: ['string', 'null'], format: 'date-time' }
    : { type: 'string', format: 'date-time' }
const object = (properties: Record<string, JsonSchema>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
})

/** The shapes every response shares (docs/api.md, "The envelope"). */
const envelope: Record<string, JsonSchema> = {
  Pagination: {
    type: 'object',
    properties: {
      page: { type: 'integer' },
      per_page: { type: 'integer' },
      total: { type: 'integer' },
      last_page: { type: 'integer' },
      next_cursor: { type: ['string', 'null'] },
    },
  },
  Meta: {
    type: 'object',
    properties: {
      timestamp: dateTime(),
      request_id: string({ description: 'Also sent as the X-Request-Id header.' }),
      pagination: ref('Pagination'),
    },
    required: ['timestamp', 'request_id'],
  },
  Error: {
    type: 'object',
    properties: {
      code: ref('ErrorCode'),
      message: string(),
      hint: string({ description: 'What the caller can do about it.' }),
      details: { description: 'Structured details: field messages, failing checks, ...' },
    },
    required: ['code', 'message'],
  },
  SuccessEnvelope: {
    type: 'object',
    properties: {
      success: { const: true },
      data: {},
      meta: ref('Meta'),
      error: { type: 'null' },
    },
    required: ['success', 'data', 'meta', 'error'],
  },
  ErrorEnvelope: {
    type: 'object',
    properties: {
      success: { const: false },
      data: { type: 'null' },
      meta: ref('Meta'),
      error: ref('Error'),
    },
    required: ['success', 'data', 'meta', 'error'],
  },
}

/** Answers of the core routes. */
const bodies: Record<string, JsonSchema> = {
  TokenPair: object({
    access_token: string({ description: 'JWT, valid 15 minutes.' }),
    refresh_token: string({ description: 'Opaque, valid 7 days, rotated on every use.' }),
    token_type: { const: 'Bearer' },
    expires_in: { type: 'integer', description: 'Seconds until the access token expires.' },
  }),
  MfaChallenge: object({
    mfa_required: { const: true },
    mfa_token: string({ description: 'Send it with a TOTP or recovery code to complete sign-in.' }),
    expires_in: { type: 'integer' },
  }),
  CurrentUser: object(
    {
      id: string({ format: 'uuid' }),
      email: string({ format: 'email' }),
      name: { type: ['string', 'null'] },
      status: string(),
      roles: { type: 'array', items: string() },
      tenant: object({ id: string(), slug: string(), name: string() }),
    },
    ['id', 'email', 'roles']
  ),
  User: object(
    {
      id: string({ format: 'uuid' }),
      email: string({ format: 'email' }),
      name: { type: ['string', 'null'] },
      status: string({ examples: ['active', 'invited', 'disabled'] }),
      roles: { type: 'array', items: string() },
      created_at: dateTime(),
    },
    ['id', 'email', 'status', 'roles']
  ),
  TenantSettings: {
    type: 'object',
    properties: {
      time_zone: string({ examples: ['Europe/Paris'] }),
      locale: string({ examples: ['fr-FR'] }),
      currency: string({ examples: ['EUR'] }),
      academic_year_start_month: { type: 'integer', minimum: 1, maximum: 12 },
      week_start_day: { type: 'integer', minimum: 1, maximum: 7 },
    },
  },
  Tenant: object(
    {
      id: string({ format: 'uuid' }),
      slug: string(),
      name: string(),
      status: {
        enum: ['provisioning', 'active', 'suspended', 'archived', 'deleted', 'failed'],
      },
      plan: string(),
      paid_until: dateTime(true),
      schema: string(),
      settings: ref('TenantSettings'),
      provisioning: { type: 'object' },
      admin_email: { type: ['string', 'null'] },
      created_at: dateTime(),
      updated_at: dateTime(),
    },
    ['id', 'slug', 'name', 'status', 'plan']
  ),
  TenantProfile: object({ slug: string(), name: string(), settings: ref('TenantSettings') }),
  Plugin: object(
    {
      name: string(),
      version: { type: ['string', 'null'] },
      available: { type: 'boolean' },
      source: string(),
      description: { type: ['string', 'null'] },
      host: string({ description: 'semver range of Oryne versions it works with' }),
      dependencies: { type: 'object', additionalProperties: string() },
      permissions: { type: 'array', items: string() },
      reasons: { type: 'array', items: string(), description: 'Why it is unavailable.' },
    },
    ['name', 'available']
  ),
  TenantPlugin: object(
    {
      name: string(),
      version: { type: ['string', 'null'] },
      available: { type: 'boolean' },
      status: string({ examples: ['enabled', 'disabled', 'not_installed'] }),
      enabled_at: dateTime(true),
    },
    ['name', 'status']
  ),
  Queue: object({
    queue: string(),
    waiting: { type: 'integer' },
    active: { type: 'integer' },
    delayed: { type: 'integer' },
    failed: { type: 'integer' },
    completed: { type: 'integer' },
    paused: { type: 'integer' },
  }),
  FailedJob: object(
    {
      id: string(),
      name: string(),
      queue: string(),
      tenant_id: { type: ['string', 'null'] },
      attempts_made: { type: 'integer' },
      failed_reason: { type: ['string', 'null'] },
      failed_at: dateTime(true),
      data: {},
    },
    ['id', 'name', 'queue']
  ),
}

export const coreSchemas: Record<string, JsonSchema> = { ...envelope, ...bodies }

/** The envelope around `data`, as a schema (`paginated`: meta.pagination is always there). */
export function successOf(data: JsonSchema, paginated = false): JsonSchema {
  return {
    allOf: [
      ref('SuccessEnvelope'),
      {
        type: 'object',
        properties: {
          data,
          ...(paginated
            ? {
                meta: {
                  type: 'object',
                  properties: { pagination: ref('Pagination') },
                  required: ['pagination'],
                },
              }
            : {}),
        },
      },
    ],
  }
}

/** The error envelope whose `error.code` is one of `codes`. */
export function errorOf(codes: string[]): JsonSchema {
  return {
    allOf: [
      ref('ErrorEnvelope'),
      {
        type: 'object',
        properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
      },
    ],
  }
}

export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items })

/** The `Location` of a create's 201 (or a queued job's 202): required, so the conformance check holds it. */
export function locationHeader(names: string): JsonSchema {
  return {
    description: `The address of what the request made: ${names}`,
    required: true,
    schema: { type: 'string' },
  }
}
