import env from '#start/env'

/**
 * The deployment's secrets and retention settings (docs/operations.md), read
 * from the validated environment when asked, so that core reads config/ and
 * never start/env itself.
 */
const secretsConfig = {
  /** ORYNE_JWT_KEYS: the signing keys of access tokens (docs/auth.md, key rotation). */
  jwtKeys: () => env.get('ORYNE_JWT_KEYS')?.release(),
  /** ORYNE_PLATFORM_TOKEN: the static token of automation acting as the platform. */
  platformToken: () => env.get('ORYNE_PLATFORM_TOKEN')?.release(),
  /** APP_KEY: the root of every purpose-bound signing key (signed links). */
  appKey: () => env.get('APP_KEY').release(),
  /** ORYNE_AUDIT_RETENTION_DAYS: how long audit entries are kept (365 by default). */
  auditRetentionDays: () => env.get('ORYNE_AUDIT_RETENTION_DAYS') ?? 365,
}

export default secretsConfig
