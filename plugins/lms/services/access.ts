import { E_LMS_NOT_FOUND, E_NO_STUDENT_PROFILE } from '../errors.js'
import { type QueryClient, type TenantTable, type Principal } from '@oryne/sdk'
import { childIdsOfGuardian, standingTo, studentIdsOfUser } from '../../erp/index.js'

/*
 * The row rules of resources/rules.ts, for the workflow services: the same
 * people reach the same rows through the CRUD API and through the workflow
 * routes. A row the principal may not reach is "not found" (404), never
 * "forbidden", so that ids of other courses reveal nothing.
 */

export type Row = Record<string, any>

/** A client and how to name tenant tables on it (see readTenantDb). */
export type Db = { client: QueryClient; table: TenantTable }

/** Inside withTenantDb the search_path names the tenant's tables. */
export function inTransaction(client: QueryClient): Db {
  return { client, table: (name, alias = name) => `${name} as ${alias}` }
}

/** How audit entries and events name the caller: `user:<id>`, `api_key:<id>` or `platform`. */
export function actorOf(principal: Principal) {
  return principal.kind === 'platform' ? 'platform' : `${principal.kind}:${principal.id}`
}

const NARROWED = new Set(['Teacher', 'Student', 'Parent'])

/**
 * Whether no LMS row rule narrows the principal: the platform, TenantAdmin,
 * and any role the rules do not name (Staff, custom roles), as in the engine.
 */
export function unrestricted(principal: Principal) {
  return (
    principal.kind === 'platform' ||
    principal.roles.includes('TenantAdmin') ||
    principal.roles.length === 0 ||
    principal.roles.some((role) => !NARROWED.has(role))
  )
}

/** How a principal reaches a course, through the roles it holds. */
export type Reach = { staff: boolean; teacher: boolean; student: boolean; guardian: boolean }

export async function courseReach(db: Db, principal: Principal, courseId: string): Promise<Reach> {
  if (unrestricted(principal))
    return { staff: true, teacher: false, student: false, guardian: false }
  const rows =
    principal.kind === 'user'
      ? await db.client
          .from(db.table('lms_course_audience', 'a'))
          .where('a.course_id', courseId)
          .where('a.user_id', principal.id)
          .select('a.via')
      : []
  const via = new Set(rows.map((row) => row.via as string))
  return {
    staff: false,
    teacher: principal.roles.includes('Teacher') && via.has('teacher'),
    student: principal.roles.includes('Student') && via.has('student'),
    guardian: principal.roles.includes('Parent') && via.has('guardian'),
  }
}

async function findCourse(db: Db, courseId: string): Promise<Row> {
  const course = await db.client.from(db.table('lms_courses', 'c')).where('c.id', courseId).first()
  if (!course) throw new E_LMS_NOT_FOUND(['Course', courseId])
  return course
}

/** Whether the principal teaches the course or sees every course. */
export async function teaches(db: Db, principal: Principal, courseId: string) {
  const reach = await courseReach(db, principal, courseId)
  return reach.staff || reach.teacher
}

/** The course, when the principal teaches it or sees every course; 404 otherwise. */
export async function courseToTeach(db: Db, principal: Principal, courseId: string) {
  if (!(await teaches(db, principal, courseId))) throw new E_LMS_NOT_FOUND(['Course', courseId])
  return findCourse(db, courseId)
}

/** The course and how the principal reaches it; 404 when it does not. */
export async function courseToView(db: Db, principal: Principal, courseId: string) {
  const reach = await courseReach(db, principal, courseId)
  if (!Object.values(reach).some(Boolean)) throw new E_LMS_NOT_FOUND(['Course', courseId])
  return { course: await findCourse(db, courseId), reach }
}

/** Whether the reach shows course content that students see only once published. */
export function seesUnpublished(reach: Reach) {
  return reach.staff || reach.teacher
}

/**
 * Whether the principal may see a record of one student in a course
 * (submission, grade, attendance): the course's teacher, the student, their
 * guardians, and the unrestricted.
 */
export async function seesStudentRecord(
  db: Db,
  principal: Principal,
  record: { course_id: unknown; student_id: unknown; student_user_id?: unknown }
) {
  if (unrestricted(principal)) return true
  if (principal.kind !== 'user') return false
  if (principal.roles.includes('Student') && record.student_user_id === principal.id) return true
  if (principal.roles.includes('Teacher')) {
    const taught = await db.client
      .from(db.table('lms_courses', 'c'))
      .where('c.id', String(record.course_id))
      .where('c.teacher_user_id', principal.id)
      .first()
    if (taught) return true
  }
  if (principal.roles.includes('Parent')) {
    const { guardian } = await standingTo(
      db.client,
      principal.id,
      String(record.student_id),
      db.table
    )
    if (guardian) return true
  }
  return false
}

/** The ERP student record of the calling Student; ERR_LMS_NO_STUDENT_PROFILE when none is linked. */
export async function ownStudent(db: Db, principal: Principal): Promise<Row> {
  const student =
    principal.kind === 'user'
      ? await studentIdsOfUser(db.client, principal.id, db.table).first()
      : null
  if (!student) throw new E_NO_STUDENT_PROFILE()
  return student
}

/**
 * The students whose records the principal may see as a Student or Parent
 * (their own, their children); null when it sees every student. A teacher's
 * reach comes from the course (see courseReach), not from this list.
 */
export async function visibleStudentIds(db: Db, principal: Principal): Promise<string[] | null> {
  if (unrestricted(principal)) return null
  if (principal.kind !== 'user') return []
  const ids: string[] = []
  if (principal.roles.includes('Student')) {
    const own = await studentIdsOfUser(db.client, principal.id, db.table)
    ids.push(...own.map((row) => String(row.id)))
  }
  if (principal.roles.includes('Parent')) {
    const children = await childIdsOfGuardian(db.client, principal.id, db.table)
    ids.push(...children.map((row) => String(row.student_id)))
  }
  return [...new Set(ids)]
}
