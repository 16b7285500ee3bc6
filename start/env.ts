/*
 * Environment variables Oryne reads, validated once at boot. README.md documents each one.
 * Values come from the process environment first, then from a `.env` file at the project root.
 */
import { Env } from '@adonisjs/core/env'
import { prepareEnvironment } from '#core/runtime/environment'

prepareEnvironment(new URL('../', import.meta.url))

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  APP_NAME: Env.schema.string.optional(),
  APP_KEY: Env.schema.secret(),
  HOST: Env.schema.string({ format: 'host' }),
  PORT: Env.schema.number(),
  TRUST_PROXY: Env.schema.boolean.optional(),
  LOG_LEVEL: Env.schema.enum([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),
  LOG_PRETTY: Env.schema.boolean.optional(),

  DATABASE_URL: Env.schema.string.optional(),
  DATABASE_POOL_MAX: Env.schema.number.optional(),
  // One URL, or a comma list of Redis Cluster nodes (core/redis/target.ts).
  REDIS_URL: Env.schema.string.optional(),
  REDIS_CLUSTER: Env.schema.boolean.optional(),
  ORYNE_REDIS_PREFIX: Env.schema.string.optional(),
  ORYNE_JOB_LOCK_MS: Env.schema.number.optional(),
  ORYNE_JOB_STALLED_CHECK_MS: Env.schema.number.optional(),
  ORYNE_JOB_MAX_STALLS: Env.schema.number.optional(),

  ORYNE_BASE_DOMAIN: Env.schema.string.optional(),
  ORYNE_PROVISIONING_METHOD: Env.schema.enum.optional(['template', 'clone', 'replay'] as const),
  ORYNE_STORAGE_DIR: Env.schema.string.optional(),
  ORYNE_PLATFORM_TOKEN: Env.schema.secret.optional(),
  ORYNE_JWT_KEYS: Env.schema.secret.optional(),
  ORYNE_AUDIT_RETENTION_DAYS: Env.schema.number.optional(),

  GNS_API_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  GNS_API_KEY: Env.schema.secret.optional(),
  GNS_TIMEOUT_MS: Env.schema.number.optional(),
  ORYNE_NOTIFICATION_ATTEMPTS: Env.schema.number.optional(),
  ORYNE_NOTIFICATION_BACKOFF_MS: Env.schema.number.optional(),
  ORYNE_NOTIFICATION_DEDUP_SECONDS: Env.schema.number.optional(),
  ORYNE_SEARCH_DRIVER: Env.schema.enum.optional(['postgres', 'typesense'] as const),
  TYPESENSE_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  TYPESENSE_API_KEY: Env.schema.secret.optional(),

  SENTRY_DSN: Env.schema.string.optional({ format: 'url', tld: false }),
  SENTRY_ENVIRONMENT: Env.schema.string.optional(),
  SENTRY_RELEASE: Env.schema.string.optional(),
  SENTRY_SAMPLE_RATE: Env.schema.number.optional(),
})
