import {
  attendanceRates,
  classmateUserIds,
  feeArrears,
  isGuardianOf,
  listStudents,
} from '../../erp/index.js'
import {
  courseNames,
  gradeTrends,
  lateAndMissingWork,
  studentsTaughtBy,
  submissionContent,
  teachesCourse,
  teachesStudent,
  type SubmissionContent,
} from '../../lms/index.js'
import { readTenantDb, type Principal } from '@oryne/sdk'

/*
 * What the AI plugin reads of the school's records (ERP students and
 * guardians, LMS courses, enrolments and submissions): peers for cold-start
 * popularity, who may see whom, submissions to check, features of at-risk
 * students. Read-only, through the read services the ERP and LMS export
 * (their services/insights.ts); users and roles are core's.
 */

const NARROWED = new Set(['Teacher', 'Student', 'Parent'])

/** No row rule narrows the principal: the platform, TenantAdmin, Staff and custom roles (as in the LMS). */
export function unrestricted(principal: Principal) {
  return (
    principal.kind === 'platform' ||
    principal.roles.includes('TenantAdmin') ||
    principal.roles.length === 0 ||
    principal.roles.some((role) => !NARROWED.has(role))
  )
}

/**
 * The peer groups of a user, narrowest first: their classmates (students of
 * the same ERP class), then holders of the same roles, then everyone (null).
 */
export async function peersOf(userId: string): Promise<Array<string[] | null>> {
  const classmates = await classmateUserIds(userId)
  const sameRole = await readTenantDb((client, table) =>
    client
      .from(table('user_roles', 'mine'))
      .join(table('user_roles', 'theirs'), 'theirs.role_id', 'mine.role_id')
      .where('mine.user_id', userId)
      .whereNot('theirs.user_id', userId)
      .distinct('theirs.user_id')
  )
  const groups: Array<string[] | null> = []
  if (classmates.length) groups.push(classmates)
  if (sameRole.length) groups.push(sameRole.map((row) => String(row.user_id)))
  groups.push(null)
  return groups
}

/** Whether the principal may see a user's recommendations (and so learn what they took). */
export async function seesUser(principal: Principal, userId: string): Promise<boolean> {
  const exists = await readTenantDb((client, table) =>
    client.from(table('users', 'u')).where('u.id', userId).first()
  )
  if (!exists) return false
  if (unrestricted(principal)) return true
  if (principal.kind !== 'user') return false
  if (principal.roles.includes('Teacher') && (await teachesStudent(principal.id, userId)))
    return true
  return principal.roles.includes('Parent') && (await isGuardianOf(principal.id, userId))
}

/** Whether the principal sees the submissions of a course: unrestricted, or its teacher. */
export async function seesCourseWork(principal: Principal, courseId: string | null) {
  if (unrestricted(principal)) return true
  if (principal.kind !== 'user' || !principal.roles.includes('Teacher') || !courseId) return false
  return teachesCourse(principal.id, courseId)
}

export type SubmissionForCheck = SubmissionContent

/** A submission with its text and files; null when there is none. */
export async function submissionForCheck(id: string): Promise<SubmissionForCheck | null> {
  return submissionContent(id)
}

/** Each student's mean released grade share (0-1) over the grades given from `from` on. */
export async function laterGradeMeans(studentIds: string[], from: Date) {
  const trends = await gradeTrends(studentIds, { from })
  return new Map([...trends].map(([id, trend]) => [id, trend.mean]))
}

/** What the at-risk model reads about a student, from ERP and LMS records. */
export type StudentSignals = {
  student_id: string
  user_id: string | null
  name: string
  attendance_rate: number | null
  grade_trend: number
  late_or_missing_rate: number
  fee_arrears: number
  mean_grade: number | null
  grades: number
}

/**
 * The signals of students: every student, or those of the courses a teacher
 * teaches (`teacherUserId`). Attendance rate over all marks (present, late
 * and excused count as attended); grade trend as the slope of released grade
 * percentages per week; late or missing work over the assignments already
 * due; fee arrears as the overdue, unpaid balance in minor units. With
 * `asOf`, only records from before that date count (fee arrears excepted:
 * invoices keep no payment history).
 */
export async function studentSignals(
  teacherUserId?: string,
  asOf?: Date
): Promise<StudentSignals[]> {
  const students = await listStudents(teacherUserId ? await studentsTaughtBy(teacherUserId) : null)
  if (!students.length) return []
  const ids = students.map((student) => student.id)
  const before = asOf ? { before: asOf } : {}
  const [attendance, trends, work, arrears] = await Promise.all([
    attendanceRates(ids, before),
    gradeTrends(ids, before),
    lateAndMissingWork(ids, before),
    feeArrears(ids),
  ])
  return students.map((student) => {
    const trend = trends.get(student.id)
    const record = work.get(student.id)
    return {
      student_id: student.id,
      user_id: student.user_id,
      name: student.name,
      attendance_rate: attendance.get(student.id) ?? null,
      grade_trend: trend?.slope ?? 0,
      late_or_missing_rate: record?.due ? (record.missing + record.late) / record.due : 0,
      fee_arrears: arrears.get(student.id) ?? 0,
      mean_grade: trend?.mean ?? null,
      grades: trend?.grades ?? 0,
    }
  })
}

/** The names of the courses among `ids` (`<title> (<code>)`), for recommendations. */
export function namesOfCourses(ids: string[]) {
  return courseNames(ids)
}
