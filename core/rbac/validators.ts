import vine from '@vinejs/vine'

/*
 * Input rules of the tenant administration API: roles, API keys, the audit
 * log. Query strings are validated like bodies (numbers arrive as strings).
 */

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/

const instantRule = vine.createRule((value, _, field) => {
  if (typeof value !== 'string') return
  if (!ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    field.report('Give an ISO 8601 date or date-time, e.g. 2026-01-31T12:00:00Z', 'iso8601', field)
  }
})

/** An ISO 8601 date or date-time, as a Date. */
export const instant = () =>
  vine
    .string()
    .trim()
    .maxLength(40)
    .use(instantRule())
    .transform((value) => new Date(value))

/** `core.users.manage`, `library.*`, `library.loans.*`: lowercase dotted names. */
const permission = () =>
  vine
    .string()
    .trim()
    .maxLength(200)
    .regex(/^[a-z][a-z0-9_-]*(\.([a-z][a-z0-9_-]*|\*))*$/)

export const roleName = () =>
  vine
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9 _.-]{0,59}$/)

export const createRoleValidator = vine.compile(
  vine.object({
    name: roleName(),
    description: vine.string().trim().maxLength(500).nullable().optional(),
    permissions: vine.array(permission()).maxLength(500),
  })
)

export const updateRoleValidator = vine.compile(
  vine.object({
    name: roleName().optional(),
    description: vine.string().trim().maxLength(500).nullable().optional(),
    permissions: vine.array(permission()).maxLength(500).optional(),
  })
)

export const createApiKeyValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(120),
    scopes: vine.array(permission()).minLength(1).maxLength(500),
    expires_at: instant().nullable().optional(),
    rate_limit_per_hour: vine
      .number()
      .withoutDecimals()
      .min(1)
      .max(10_000_000)
      .nullable()
      .optional(),
  })
)

const page = () => vine.number().withoutDecimals().min(1).max(1_000_000).optional()
const perPage = () => vine.number().withoutDecimals().min(1).max(200).optional()

export const auditQueryValidator = vine.compile(
  vine.object({
    actor: vine.string().trim().maxLength(200).optional(),
    action: vine.string().trim().maxLength(100).optional(),
    resource: vine.string().trim().maxLength(120).optional(),
    resource_id: vine.string().trim().maxLength(120).optional(),
    from: instant().optional(),
    to: instant().optional(),
    page: page(),
    per_page: perPage(),
  })
)

export const listUsersValidator = vine.compile(
  vine.object({
    status: vine.enum(['invited', 'active', 'disabled'] as const).optional(),
    role: vine.string().trim().maxLength(60).optional(),
    q: vine.string().trim().maxLength(200).optional(),
    page: page(),
    per_page: perPage(),
  })
)
