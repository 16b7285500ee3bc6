import { format } from 'node:util'
import { Exception } from '@adonisjs/core/exceptions'

/**
 * Every error a user of Oryne can hit has a stable `ERR_*` code, an HTTP status,
 * a plain message and a hint saying what to do next. docs/errors.md lists them;
 * a test keeps that catalog and this file in step.
 */
export class OryneError extends Exception {
  declare static code: string
  declare static status: number
  /** What the caller can do about it. */
  hint?: string
  /** Structured details (validation messages, failing checks, ...). */
  details?: unknown

  constructor(
    args: unknown[] = [],
    options: { details?: unknown; hint?: string; cause?: unknown } = {}
  ) {
    const self = new.target
    super(format(self.message, ...args), {
      code: self.code,
      status: self.status,
      cause: options.cause,
    })
    this.name = 'OryneError'
    this.hint = options.hint ?? self.help
    this.details = options.details
  }
}

export type OryneErrorClass = typeof OryneError & {
  new (
    args?: unknown[],
    options?: { details?: unknown; hint?: string; cause?: unknown }
  ): OryneError
}

/** Every error defined in this process (core's and the loaded plugins'), by code. */
const defined = new Map<string, OryneErrorClass>()

/** Declares an error of the catalog: `defineError('ERR_X', 404, 'Thing "%s" not found', 'hint')`. */
export function defineError(
  code: string,
  status: number,
  message: string,
  hint?: string
): OryneErrorClass {
  const error = class extends OryneError {
    static code = code
    static status = status
    static message = message
    static help = hint
  }
  defined.set(code, error)
  return error
}

/** The errors defined so far: core's, and those of every plugin loaded (the OpenAPI `ErrorCode` list). */
export function definedErrors(): OryneErrorClass[] {
  return [...defined.values()]
}

/* Generic HTTP */
export const E_NOT_FOUND = defineError(
  'ERR_NOT_FOUND',
  404,
  'Cannot %s %s',
  'Check the method and path against docs/api.md.'
)
export const E_METHOD_NOT_ALLOWED = defineError(
  'ERR_METHOD_NOT_ALLOWED',
  405,
  'Cannot %s %s: this path answers %s',
  'Use one of the methods in the Allow header (also in error.details.allow).'
)
export const E_VALIDATION = defineError(
  'ERR_VALIDATION',
  400,
  'The request is invalid',
  'Fix the fields listed in error.details and send the request again.'
)
export const E_BAD_REQUEST = defineError('ERR_BAD_REQUEST', 400, '%s')
export const E_PAYLOAD_TOO_LARGE = defineError(
  'ERR_PAYLOAD_TOO_LARGE',
  413,
  'The request body is too large'
)
export const E_HEADERS_TOO_LARGE = defineError(
  'ERR_HEADERS_TOO_LARGE',
  431,
  'The request headers are too large',
  'Send fewer or shorter headers (cookies, tokens): together they must stay under 16 KB.'
)
export const E_REQUEST_TIMEOUT = defineError(
  'ERR_REQUEST_TIMEOUT',
  408,
  'The request was not received in time',
  'Send the whole request without pausing, then retry.'
)
export const E_NUL_CHARACTER = defineError(
  'ERR_NUL_CHARACTER',
  400,
  'The request holds a NUL character (\\u0000) in its %s',
  'Remove the NUL characters: no text Oryne stores may hold one. error.details names the field.'
)
export const E_BODY_ENCODING_INVALID = defineError(
  'ERR_BODY_ENCODING_INVALID',
  400,
  'The request body is not what its Content-Encoding says (%s)',
  'Send the body compressed as Content-Encoding says, or uncompressed without that header.'
)
export const E_UNSUPPORTED_MEDIA_TYPE = defineError(
  'ERR_UNSUPPORTED_MEDIA_TYPE',
  415,
  'Unsupported content type "%s"',
  'Send JSON with Content-Type: application/json.'
)
export const E_RATE_LIMITED = defineError(
  'ERR_RATE_LIMITED',
  429,
  'Too many requests: %s',
  'Wait for the Retry-After delay (seconds), then retry; X-RateLimit-* headers show the budget.'
)
export const E_INTERNAL = defineError(
  'ERR_INTERNAL',
  500,
  'Something went wrong on our side',
  'Retry later; if it persists, report the request id to your platform admin.'
)
export const E_SERVICE_UNAVAILABLE = defineError(
  'ERR_SERVICE_UNAVAILABLE',
  503,
  'A service Oryne depends on is unavailable',
  'See error.details for the failing checks; retry after they recover.'
)

/* Configuration and runtime */
export const E_CONFIG_MISSING = defineError(
  'ERR_CONFIG_MISSING',
  500,
  '%s',
  'Set the variables named above; README.md lists them all.'
)
export const E_CONFIG_INVALID = defineError(
  'ERR_CONFIG_INVALID',
  500,
  '%s',
  'Correct the variable named above; README.md describes each one.'
)

/* Jobs */
export const E_JOB_UNKNOWN = defineError(
  'ERR_JOB_UNKNOWN',
  400,
  'No job named "%s" is registered',
  'Register it with defineJob() in a plugin or core before dispatching it.'
)
export const E_QUEUE_UNKNOWN = defineError(
  'ERR_QUEUE_UNKNOWN',
  404,
  'No queue named "%s"',
  'Run `oryne jobs status` to list the queues.'
)
export const E_JOB_NOT_FOUND = defineError(
  'ERR_JOB_NOT_FOUND',
  404,
  'Job "%s" was not found in queue "%s"'
)

/* API authentication (JWTs, and the static platform token for automation) */
export const E_AUTH_REQUIRED = defineError(
  'ERR_AUTH_REQUIRED',
  401,
  'Authentication is required',
  'Send "Authorization: Bearer <token>".'
)
export const E_AUTH_INVALID_TOKEN = defineError(
  'ERR_AUTH_INVALID_TOKEN',
  401,
  'The token is invalid',
  'Sign in again for a fresh access token (POST /api/v1/auth/login or /api/v1/platform/auth/login), or use ORYNE_PLATFORM_TOKEN on platform routes.'
)

/* Tenancy */
export const E_TENANT_NOT_FOUND = defineError(
  'ERR_TENANT_NOT_FOUND',
  404,
  'No tenant "%s"',
  'Check the domain, subdomain or X-Tenant-ID header; `oryne tenant list` shows the tenants.'
)
export const E_TENANT_SUSPENDED = defineError(
  'ERR_TENANT_SUSPENDED',
  403,
  'Tenant "%s" is suspended',
  'Contact your platform administrator.'
)
export const E_TENANT_NOT_READY = defineError(
  'ERR_TENANT_NOT_READY',
  503,
  'Tenant "%s" is not ready (%s)',
  'Provisioning is under way or failed; retry after the Retry-After delay.'
)
export const E_TENANT_ARCHIVED = defineError('ERR_TENANT_ARCHIVED', 410, 'Tenant "%s" is archived')
export const E_NO_TENANT_CONTEXT = defineError(
  'ERR_NO_TENANT_CONTEXT',
  500,
  'Tenant data was touched outside a tenant context',
  'Run the code inside tenancy.run(tenant, ...) or a tenant-scoped route, job or command.'
)
export const E_TENANT_SLUG_TAKEN = defineError(
  'ERR_TENANT_SLUG_TAKEN',
  409,
  'The slug "%s" is already used by another tenant',
  'Pick another slug.'
)
export const E_TENANT_INVALID_TRANSITION = defineError(
  'ERR_TENANT_INVALID_TRANSITION',
  409,
  'Tenant "%s" cannot go from %s to %s',
  'See docs/tenancy.md for the lifecycle.'
)
export const E_TENANT_DOMAIN_TAKEN = defineError(
  'ERR_TENANT_DOMAIN_TAKEN',
  409,
  'The domain "%s" already belongs to a tenant'
)
export const E_TENANT_DOMAIN_NOT_FOUND = defineError(
  'ERR_TENANT_DOMAIN_NOT_FOUND',
  404,
  'Tenant "%s" has no domain "%s"'
)
export const E_CONFIRMATION_REQUIRED = defineError(
  'ERR_CONFIRMATION_REQUIRED',
  400,
  '%s',
  'Pass --yes (CLI) or "force": true (API) to confirm.'
)
export const E_INVOICE_NOT_FOUND = defineError(
  'ERR_INVOICE_NOT_FOUND',
  404,
  'Tenant "%s" has no invoice "%s"'
)
export const E_INVOICE_ALREADY_PAID = defineError(
  'ERR_INVOICE_ALREADY_PAID',
  409,
  'Invoice "%s" is already paid'
)

/**
 * The catalog error for anything thrown: catalog errors as they are, VineJS
 * validation failures as ERR_VALIDATION with their field messages, the rest as
 * ERR_INTERNAL (the original kept as `cause` for the logs, never shown).
 */
export function toOryneError(error: unknown): OryneError {
  if (error instanceof OryneError) return error
  if ((error as { code?: string })?.code === 'E_VALIDATION_ERROR') {
    return new E_VALIDATION([], { details: (error as { messages: unknown }).messages })
  }
  return new E_INTERNAL([], { cause: error })
}

/* Plugins */
export const E_PLUGIN_NOT_FOUND = defineError(
  'ERR_PLUGIN_NOT_FOUND',
  404,
  'No plugin "%s" is installed',
  'Run `oryne plugin list` to see the installed plugins.'
)
export const E_PLUGIN_UNAVAILABLE = defineError(
  'ERR_PLUGIN_UNAVAILABLE',
  409,
  'Plugin "%s" is installed but unavailable: %s',
  'Fix the reasons listed (manifest, host range, dependencies), then restart Oryne.'
)
export const E_PLUGIN_DISABLED = defineError(
  'ERR_PLUGIN_DISABLED',
  404,
  'The "%s" module is not enabled for this institution',
  'A tenant admin can enable it; platform admins with `oryne plugin enable`.'
)
export const E_PLUGIN_DEPENDENCIES_MISSING = defineError(
  'ERR_PLUGIN_DEPENDENCIES_MISSING',
  409,
  'Plugin "%s" needs %s enabled first',
  'Enable them first, or enable without --no-deps to enable them too.'
)
export const E_PLUGIN_REQUIRED_BY = defineError(
  'ERR_PLUGIN_REQUIRED_BY',
  409,
  'Plugin "%s" is needed by %s, enabled for this tenant',
  'Disable those first.'
)
export const E_PLUGIN_UNINSTALL_BLOCKED = defineError(
  'ERR_PLUGIN_UNINSTALL_BLOCKED',
  409,
  'Plugin "%s" cannot be uninstalled: %s keep data that depends on it',
  'Uninstall those first (`oryne plugin uninstall <name> --tenant <slug> --purge`).'
)
export const E_PLUGIN_EXISTS = defineError(
  'ERR_PLUGIN_EXISTS',
  409,
  'A plugin named "%s" already exists (%s)',
  'Pick another name, or remove that folder first.'
)
export const E_PLUGIN_MIGRATIONS_STALE = defineError(
  'ERR_PLUGIN_MIGRATIONS_STALE',
  409,
  'The migrations of %s do not match their resources',
  'Run `oryne plugin make-migration <name>` and commit the migration and snapshot it writes.'
)
export const E_PLUGIN_ROUTES_UNDESCRIBED = defineError(
  'ERR_PLUGIN_ROUTES_UNDESCRIBED',
  409,
  'Routes of %s do not describe themselves for the OpenAPI document',
  'Add `.describe({ summary, body, status, errors })` to each route listed in error.details (docs/plugins.md, "Routes").'
)
export const E_PLUGIN_MIGRATION_UNSAFE = defineError(
  'ERR_PLUGIN_MIGRATION_UNSAFE',
  409,
  'Some changes to %s could fail or lose data on existing rows',
  'See error.details; give new required fields a default, or pass --allow-unsafe after checking the data.'
)
/** Uninstall --purge takes a tenant backup first; without the backup service it refuses. */
export const E_BACKUP_UNAVAILABLE = defineError(
  'ERR_BACKUP_UNAVAILABLE',
  503,
  'Tenant backups are not available in this installation, so nothing was dropped',
  'Install the backup service (core/backup), or back the tenant up yourself and retry once it exists.'
)

/* Identity */
export const E_AUTH_INVALID_CREDENTIALS = defineError(
  'ERR_AUTH_INVALID_CREDENTIALS',
  401,
  'The email or password is incorrect',
  'Check both and try again. Invited users accept their invitation first; forgotten passwords are reset through /auth/password-reset.'
)
export const E_AUTH_ACCOUNT_DISABLED = defineError(
  'ERR_AUTH_ACCOUNT_DISABLED',
  403,
  'This account is disabled',
  'Ask your administrator to enable it (`oryne user enable`).'
)
export const E_AUTH_TOKEN_EXPIRED = defineError(
  'ERR_AUTH_TOKEN_EXPIRED',
  401,
  'The access token has expired',
  'Get a new one from POST /auth/refresh with your refresh token.'
)
export const E_AUTH_TENANT_MISMATCH = defineError(
  'ERR_AUTH_TENANT_MISMATCH',
  401,
  'The token was issued for %s, not for %s',
  'Sign in on the tenant (or the platform) you are calling.'
)
export const E_AUTH_TOKEN_REUSED = defineError(
  'ERR_AUTH_TOKEN_REUSED',
  401,
  'This refresh token was already used: the session is revoked',
  'Sign in again. If you did not reuse the token, someone else may hold it.'
)
export const E_AUTH_SESSION_ENDED = defineError(
  'ERR_AUTH_SESSION_ENDED',
  401,
  'The session has ended (signed out, password changed, or expired)',
  'Sign in again.'
)
export const E_AUTH_INVITE_INVALID = defineError(
  'ERR_AUTH_INVITE_INVALID',
  400,
  'The invitation is invalid, already used or expired',
  'Ask your administrator for a new invitation (`oryne user reset-password`).'
)
export const E_AUTH_RESET_TOKEN_INVALID = defineError(
  'ERR_AUTH_RESET_TOKEN_INVALID',
  400,
  'The password reset token is invalid, already used or expired',
  'Request a new one with POST /auth/password-reset.'
)
export const E_FORBIDDEN = defineError(
  'ERR_FORBIDDEN',
  403,
  'Not allowed: %s',
  'Ask an administrator for the role this needs.'
)
export const E_USER_NOT_FOUND = defineError(
  'ERR_USER_NOT_FOUND',
  404,
  'No user "%s"',
  '`oryne user list --tenant <slug>` lists the users.'
)
export const E_USER_EMAIL_TAKEN = defineError(
  'ERR_USER_EMAIL_TAKEN',
  409,
  'A user with the email "%s" already exists'
)
export const E_LAST_TENANT_ADMIN = defineError(
  'ERR_LAST_TENANT_ADMIN',
  409,
  'This would leave the institution without an active TenantAdmin',
  'Give the TenantAdmin role to another active user first.'
)

/* Access control: roles, API keys, MFA */
export const E_ROLE_NOT_FOUND = defineError(
  'ERR_ROLE_NOT_FOUND',
  404,
  'No role "%s"',
  'GET /api/v1/admin/roles lists the roles of this institution.'
)
export const E_ROLE_EXISTS = defineError(
  'ERR_ROLE_EXISTS',
  409,
  'A role named "%s" already exists',
  'Pick another name, or change the existing role.'
)
export const E_ROLE_BUILTIN = defineError(
  'ERR_ROLE_BUILTIN',
  409,
  'Role "%s" is built in: %s',
  'Create a custom role instead.'
)
export const E_ROLE_IN_USE = defineError(
  'ERR_ROLE_IN_USE',
  409,
  'Role "%s" is held by %s user(s)',
  'Assign those users other roles first (PUT /api/v1/admin/users/:id/roles).'
)
export const E_API_KEY_NOT_FOUND = defineError(
  'ERR_API_KEY_NOT_FOUND',
  404,
  'No API key "%s"',
  'GET /api/v1/admin/api-keys lists the keys of this institution.'
)
export const E_AUTH_API_KEY_EXPIRED = defineError(
  'ERR_AUTH_API_KEY_EXPIRED',
  401,
  'The API key has expired',
  'Ask a tenant admin for a new key.'
)
export const E_AUTH_API_KEY_REVOKED = defineError(
  'ERR_AUTH_API_KEY_REVOKED',
  401,
  'The API key was revoked',
  'Ask a tenant admin for a new key.'
)
export const E_AUTH_MFA_INVALID = defineError(
  'ERR_AUTH_MFA_INVALID',
  401,
  'The authentication code is incorrect',
  'Enter the current 6-digit code from your authenticator app, or an unused recovery code.'
)
export const E_AUTH_MFA_CHALLENGE_INVALID = defineError(
  'ERR_AUTH_MFA_CHALLENGE_INVALID',
  401,
  'The MFA sign-in step is invalid, expired or used up',
  'Sign in again with your email and password.'
)
export const E_MFA_ALREADY_ENABLED = defineError(
  'ERR_MFA_ALREADY_ENABLED',
  409,
  'Two-factor authentication is already enabled',
  'Disable it first (DELETE /auth/mfa) to enrol a new device.'
)
export const E_MFA_NOT_ENABLED = defineError(
  'ERR_MFA_NOT_ENABLED',
  409,
  'Two-factor authentication is not enabled',
  'Enrol first: POST /auth/mfa/enroll, then POST /auth/mfa/confirm with a code.'
)

/* Fleet operations: migrations across tenants, backups */
export const E_TENANT_LOCKED = defineError(
  'ERR_TENANT_LOCKED',
  409,
  'Tenant "%s" is being changed by another process: %s',
  'Wait for that run to finish (or stop it), then run the command again.'
)
export const E_MIGRATION_FAILED = defineError(
  'ERR_MIGRATION_FAILED',
  500,
  '%s',
  'Fix the failing tenants listed (see each error), then run `oryne migrate` again: it resumes where it stopped.'
)
export const E_MIGRATION_IRREVERSIBLE = defineError(
  'ERR_MIGRATION_IRREVERSIBLE',
  409,
  'Migration %s has no down step, so it cannot be rolled back',
  'Restore a backup taken before it instead (`oryne backup restore`).'
)
export const E_MIGRATION_NOTHING_TO_ROLL_BACK = defineError(
  'ERR_MIGRATION_NOTHING_TO_ROLL_BACK',
  409,
  'Tenant "%s" has no applied migration of %s',
  '`oryne migrate status --tenant <slug>` lists what is applied.'
)
export const E_BACKUP_NOT_FOUND = defineError(
  'ERR_BACKUP_NOT_FOUND',
  404,
  'No backup archive at %s',
  '`oryne backup list <slug>` lists the archives of a tenant.'
)
export const E_BACKUP_CORRUPT = defineError(
  'ERR_BACKUP_CORRUPT',
  422,
  'The archive %s is corrupted or truncated: %s',
  'Use another copy of the archive; nothing was restored from this one.'
)
export const E_BACKUP_DOWNGRADE = defineError(
  'ERR_BACKUP_DOWNGRADE',
  409,
  'The archive was made by newer software than this installation: %s',
  'Upgrade Oryne and the plugins named to at least the archive versions, then restore.'
)
export const E_BACKUP_INCOMPATIBLE = defineError(
  'ERR_BACKUP_INCOMPATIBLE',
  409,
  'The archive cannot be restored here: %s',
  'Install the plugins it needs (see details), then restore.'
)
export const E_BACKUP_KEY_MISSING = defineError(
  'ERR_BACKUP_KEY_MISSING',
  400,
  '%s',
  'Set ORYNE_BACKUP_KEY (32 bytes, base64) to the key the archive was encrypted with.'
)

/* Low-code resources */
export const E_RECORD_NOT_FOUND = defineError(
  'ERR_RECORD_NOT_FOUND',
  404,
  'No %s record with id "%s"',
  'Check the id; the record may not exist, or your role may not let you see it.'
)
export const E_RESOURCE_NOT_FOUND = defineError(
  'ERR_RESOURCE_NOT_FOUND',
  404,
  'No resource "%s"',
  'Resources are named <plugin>/<resource>; GET /api/v1/openapi.json lists them.'
)
export const E_CONFLICT = defineError(
  'ERR_CONFLICT',
  409,
  'Conflicts with existing data: %s',
  'Change the fields listed in error.details (a unique value is already taken).'
)
export const E_RECORD_IN_USE = defineError(
  'ERR_RECORD_IN_USE',
  409,
  'This %s record is still referenced by other records',
  'Delete or change the records that reference it first (error.details names them).'
)
export const E_CUSTOM_FIELD_NOT_FOUND = defineError(
  'ERR_CUSTOM_FIELD_NOT_FOUND',
  404,
  '%s has no custom field "%s"',
  'GET /api/v1/admin/resources/<plugin>/<resource>/fields lists them.'
)

/* Notifications (docs/notifications.md) */
export const E_NOTIFICATION_TEMPLATE_UNKNOWN = defineError(
  'ERR_NOTIFICATION_TEMPLATE_UNKNOWN',
  404,
  'No notification template "%s"',
  'GET /api/v1/admin/notifications/templates lists the templates of core and of the enabled plugins.'
)
export const E_NOTIFICATION_TEMPLATE_INVALID = defineError(
  'ERR_NOTIFICATION_TEMPLATE_INVALID',
  400,
  'The notification template is invalid: %s',
  'Use {{variable}} placeholders of the template (listed with it); partials and delimiter changes are not allowed.'
)
export const E_NOTIFICATION_DATA_MISSING = defineError(
  'ERR_NOTIFICATION_DATA_MISSING',
  400,
  'Template "%s" needs %s',
  'Pass every variable the template names in data (error.details lists the missing ones).'
)
export const E_NOTIFICATION_MANDATORY = defineError(
  'ERR_NOTIFICATION_MANDATORY',
  409,
  'Notification "%s" is mandatory and cannot be switched off',
  'Leave it on; only optional templates can be switched off.'
)
export const E_NOTIFICATION_NOT_FOUND = defineError(
  'ERR_NOTIFICATION_NOT_FOUND',
  404,
  'No notification "%s"',
  'GET /api/v1/notifications lists yours.'
)
export const E_NOTIFICATION_DELIVERY_NOT_FOUND = defineError(
  'ERR_NOTIFICATION_DELIVERY_NOT_FOUND',
  404,
  'No dead letter "%s"',
  'GET /api/v1/admin/notifications/dead-letters lists them.'
)

/* Search (docs/search.md) */
export const E_SEARCH_UNAVAILABLE = defineError(
  'ERR_SEARCH_UNAVAILABLE',
  503,
  'Search is unavailable: %s',
  'Check the search driver (ORYNE_SEARCH_DRIVER, TYPESENSE_URL) and try again.'
)

/* Files (docs/storage.md) */
export const E_FILE_NOT_FOUND = defineError(
  'ERR_FILE_NOT_FOUND',
  404,
  'No file "%s"',
  'Check the file id; files of another institution are never visible.'
)
export const E_FILE_TOO_LARGE = defineError(
  'ERR_FILE_TOO_LARGE',
  413,
  'The file is larger than %s MB',
  'Send a smaller file (the limit is ORYNE_UPLOAD_MAX_MB).'
)
export const E_FILE_TYPE_NOT_ALLOWED = defineError(
  'ERR_FILE_TYPE_NOT_ALLOWED',
  415,
  'Files of type "%s" are not accepted',
  'Send one of the extensions listed in error.details.allowed.'
)
export const E_FILE_TYPE_MISMATCH = defineError(
  'ERR_FILE_TYPE_MISMATCH',
  415,
  'The file "%s" is not what its name says',
  'Send the file under a name whose extension matches its contents (a PDF as .pdf, a PNG as .png).'
)
export const E_FILE_LINK_INVALID = defineError(
  'ERR_FILE_LINK_INVALID',
  403,
  'The download link is invalid or has expired',
  'Ask for a fresh link: GET /api/v1/files/:id returns one.'
)

/*
 * Outbound calls (core/outbound/client.ts, docs/operations.md "Security").
 * Messages name the service and what went wrong, never what the upstream
 * answered: that is logged, not shown.
 */
export const E_UPSTREAM_ADDRESS_REFUSED = defineError(
  'ERR_UPSTREAM_ADDRESS_REFUSED',
  502,
  'The %s is at an address Oryne does not call',
  'An administrator points it to a public address, or allows the private network in ORYNE_OUTBOUND_ALLOW (docs/operations.md).'
)
export const E_UPSTREAM_URL_INVALID = defineError(
  'ERR_UPSTREAM_URL_INVALID',
  502,
  'The %s address is not an http(s) URL',
  'An administrator corrects the address in the settings.'
)
export const E_UPSTREAM_UNREACHABLE = defineError(
  'ERR_UPSTREAM_UNREACHABLE',
  502,
  'The %s could not be reached',
  'Try again later; if it persists, an administrator checks the address in the settings.'
)
export const E_UPSTREAM_TIMEOUT = defineError(
  'ERR_UPSTREAM_TIMEOUT',
  504,
  'The %s did not answer in time',
  'Try again later.'
)
export const E_UPSTREAM_REDIRECT = defineError(
  'ERR_UPSTREAM_REDIRECT',
  502,
  'The %s answered with a redirect, which Oryne does not follow',
  'An administrator sets the address the service redirects to.'
)
export const E_UPSTREAM_TOO_LARGE = defineError(
  'ERR_UPSTREAM_TOO_LARGE',
  502,
  'The %s answered with more data than Oryne accepts',
  'Try again later; if it persists, an administrator checks the service.'
)
export const E_UPSTREAM_STATUS = defineError(
  'ERR_UPSTREAM_STATUS',
  502,
  'The %s answered HTTP %s',
  'Try again later; if it persists, an administrator checks the service and its credentials.'
)
export const E_UPSTREAM_INVALID_RESPONSE = defineError(
  'ERR_UPSTREAM_INVALID_RESPONSE',
  502,
  'The %s answered with something that is not the JSON it should send',
  'Try again later; if it persists, an administrator checks the address in the settings.'
)
