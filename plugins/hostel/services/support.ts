import { DateTime } from 'luxon'
import { E_NO_STUDENT_PROFILE } from '../errors.js'
import { E_FORBIDDEN, E_VALIDATION, tenantContext, type Principal, type Trx } from '@oryne/sdk'
import { standingTo, studentIdOfUser } from '../../erp/index.js'

export type Row = Record<string, any>

/** Today's date (YYYY-MM-DD) in the tenant's time zone: the institution's day. */
export function tenantToday(): string {
  const zone = tenantContext.require().settings.time_zone || 'UTC'
  return DateTime.now().setZone(zone).toISODate()!
}

/** A date column as YYYY-MM-DD, whatever the driver returned. */
export function isoDate(value: unknown): string {
  if (value instanceof Date) return DateTime.fromJSDate(value).toISODate()!
  return String(value).slice(0, 10)
}

/** A 400 naming one field, as the engine reports its own validation failures. */
export function invalidField(field: string, rule: string, message: string) {
  return new E_VALIDATION([], { details: [{ field, rule, message }] })
}

/** The user id of the caller, for `decided_by`-style columns (null for the platform and API keys). */
export function userIdOf(principal: Principal) {
  return principal.kind === 'user' ? principal.id : null
}

const RESIDENT_ROLES = new Set(['Student', 'Parent', 'Teacher'])

/**
 * Whether the principal acts only for themselves or their children: every
 * role it holds is narrowed by a hostel row rule (see resources/rules.ts).
 */
export function actsForSelf(principal: Principal) {
  return (
    principal.kind === 'user' &&
    principal.roles.length > 0 &&
    !principal.roles.includes('TenantAdmin') &&
    principal.roles.every((role) => RESIDENT_ROLES.has(role))
  )
}

/** The ERP student record of the calling Student; ERR_HOSTEL_NO_STUDENT_PROFILE when none is linked. */
export async function ownStudentId(trx: Trx, principal: Principal): Promise<string> {
  const student = principal.kind === 'user' ? await studentIdOfUser(trx, principal.id) : null
  if (!student) throw new E_NO_STUDENT_PROFILE()
  return student
}

/** Postgres' unique_violation, optionally on one constraint. */
export function isUniqueViolation(error: unknown, constraint?: string) {
  const pg = error as { code?: string; constraint?: string }
  return pg?.code === '23505' && (!constraint || pg.constraint === constraint)
}

/**
 * Refuses (403) a Student, Parent or Teacher naming a student who is neither
 * themselves nor their child, before anything else is checked, so that the
 * answer reveals nothing about other students.
 */
export async function assertActsFor(trx: Trx, principal: Principal, studentId: unknown) {
  if (!actsForSelf(principal) || !studentId) return
  const standing = await standingTo(trx, principal.id, String(studentId))
  const child = standing.guardian && principal.roles.includes('Parent')
  if (!standing.self && !child) throw new E_FORBIDDEN(['only for yourself or your children'])
}
