import { api, call, type Query } from '@oryne/web'

/*
 * The LMS records as the API answers them (docs/plugins/lms.md): ids are
 * strings of digits, points are decimals as strings ("8.50").
 */

export type Course = { id: string; code: string; title: string; status: string }
export type Student = { id: string; first_name: string; last_name: string; enrollment_no: string }

export type Assignment = {
  id: string
  course_id: string
  title: string
  instructions: string | null
  due_at: string | null
  cut_off_at: string | null
  max_points: string
  attempts_allowed: number
  late_policy: 'accept' | 'penalise' | 'reject'
  late_penalty_percent: string
  rubric_id: string | null
  status: 'draft' | 'published'
  course?: Course
}

export type StoredFile = { key: string; name: string; size: number; content_type: string }

export type Submission = {
  id: string
  assignment_id: string
  course_id: string
  student_id: string
  attempt: number
  text: string | null
  files: StoredFile[] | null
  status: 'draft' | 'submitted' | 'graded' | 'returned'
  submitted_at: string | null
  late: boolean
  student?: Student
  assignment?: Assignment
  course?: Course
}

export type Selection = { criterion_id: string; level_id: string; points: string }

export type Grade = {
  id: string
  submission_id: string
  assignment_id: string
  course_id: string
  student_id: string
  attempt: number
  points: string
  penalty_percent: string
  final_points: string
  rubric_selections: Selection[] | null
  feedback: string | null
  released: boolean
  graded_at: string
  assignment?: Assignment
  student?: Student
  course?: Course
}

export type Criterion = { id: string; rubric_id: string; title: string; position: number }
export type Level = {
  id: string
  criterion_id: string
  title: string
  description: string | null
  points: string
  position: number
}

/** A rubric's criteria in order, each with its levels in order. */
export type Rubric = Array<Criterion & { levels: Level[] }>

export type Gradebook = {
  course: { id: string; code: string; title: string }
  assignments: Array<{ id: string; title: string; max_points: string; due_at: string | null }>
  students: Array<{
    student_id: string
    enrollment_no: string
    name: string
    final_percent: string | null
    scores: Record<string, string>
  }>
}

/** A row of GET /lms/me/work-due: an assignment open to one student, with their latest attempt. */
export type WorkRow = {
  assignment_id: string
  title: string
  course: { id: string; code: string; title: string }
  due_at: string | null
  cut_off_at: string | null
  max_points: string
  student: { id: string; name: string | null }
  latest_attempt: Pick<Submission, 'id' | 'attempt' | 'status' | 'submitted_at' | 'late'> | null
}

export const LMS = '/api/v1/lms'

/** One page of the work due for the signed-in student (a parent: their children), by due date. */
export function workDue(query: { page?: number; per_page?: number; until?: Date } = {}) {
  return call<WorkRow[]>(`${LMS}/me/work-due`, {
    query: { page: query.page, per_page: query.per_page, until: query.until?.toISOString() },
  })
}

/** One page (up to 100) of an LMS resource list. */
export function list<T>(resource: string, query: Query = {}) {
  return api<T[]>(`${LMS}/${resource}`, { query: { per_page: 100, ...query } })
}

/** How many rows of a resource list match, without reading them. */
export async function count(resource: string, query: Query = {}) {
  const answer = await call(`${LMS}/${resource}`, { query: { per_page: 1, ...query } })
  return answer.pagination?.total ?? 0
}

/** Criteria with their levels, both in the rubric's order. */
export async function loadRubric(rubricId: string): Promise<Rubric> {
  const [criteria, levels] = await Promise.all([
    list<Criterion>('rubric_criteria', { 'filter[rubric_id]': rubricId }),
    list<Level>('rubric_levels', { 'filter[rubric_id]': rubricId }),
  ])
  return criteria.map((criterion) => ({
    ...criterion,
    levels: levels.filter((level) => level.criterion_id === criterion.id),
  }))
}

export function studentName(student?: Student) {
  return student ? `${student.first_name} ${student.last_name}` : ''
}

/** Points as a number (the API's decimals are strings). */
export const points = (value: string | number | null | undefined) => Number(value ?? 0)

/** A rubric's best total: the highest level of each criterion. */
export function bestTotal(rubric: Rubric) {
  return rubric.reduce(
    (sum, criterion) => sum + Math.max(0, ...criterion.levels.map((level) => points(level.points))),
    0
  )
}

/** Whether an assignment still takes work now (no cut-off, or before it). */
export function takesWork(assignment: Assignment, now = Date.now()) {
  return !assignment.cut_off_at || new Date(assignment.cut_off_at).getTime() > now
}
