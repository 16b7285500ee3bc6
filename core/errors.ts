/*
 * Core's error catalog, gathered: the shared base (OryneError, defineError,
 * the registry) and every capability's errors.ts, so that importing this one
 * module declares them all (the OpenAPI `ErrorCode` list, docs/errors.md).
 * A new error goes into the errors.ts of the capability that raises it.
 */
export * from './oryne_error.js'
export * from './http/errors.js'
export * from './runtime/errors.js'
export * from './jobs/errors.js'
export * from './auth/errors.js'
export * from './tenancy/errors.js'
export * from './plugins/errors.js'
export * from './rbac/errors.js'
export * from './fleet/errors.js'
export * from './resources/errors.js'
export * from './collections/errors.js'
export * from './notifications/errors.js'
export * from './search/errors.js'
export * from './storage/errors.js'
export * from './outbound/errors.js'
