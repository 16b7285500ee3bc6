import { DateTime } from 'luxon'
import { E_VALIDATION, tenantContext, type Principal } from '@oryne/sdk'

export type Row = Record<string, any>

/** Today's date (YYYY-MM-DD) in the tenant's time zone: the institution's day. */
export function tenantToday(): string {
  return DateTime.now().setZone(tenantZone()).toISODate()!
}

export function tenantZone(): string {
  return tenantContext.require().settings.time_zone || 'UTC'
}

/** A 400 naming one field, as the engine reports its own validation failures. */
export function invalidField(field: string, rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field, rule, message }] })
}

/** The user id of the caller, for `changed_by`-style columns (null for the platform and API keys). */
export function userIdOf(principal: Principal) {
  return principal.kind === 'user' ? principal.id : null
}

/** Postgres' unique_violation. */
export function isUniqueViolation(error: unknown) {
  return (error as { code?: string })?.code === '23505'
}

/** A date column as YYYY-MM-DD, whatever the driver returned. */
export function isoDate(value: unknown): string {
  if (value instanceof Date) return DateTime.fromJSDate(value).toISODate()!
  return String(value).slice(0, 10)
}
