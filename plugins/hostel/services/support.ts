import { E_NO_STUDENT_PROFILE } from '../errors.js'
import { E_FORBIDDEN, type Principal, type Trx } from '@oryne/sdk'
import { standingTo, studentIdOfUser } from '../../erp/index.js'

export type Row = Record<string, any>

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
