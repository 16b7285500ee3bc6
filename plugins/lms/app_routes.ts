import { E_LMS_NOT_FOUND } from './errors.js'
import { ASSIGNMENT_STATUSES, LATE_POLICIES } from './resources/assignments.js'
import { id, param, text, twoDecimals } from './routes.js'
import { postAssignment } from './services/assignment_posting.js'
import { workDue } from './services/work_due.js'
import {
  authorize,
  E_FORBIDDEN,
  E_VALIDATION,
  respond,
  storedRow,
  vine,
  type OperationDoc,
  type Router,
} from '@oryne/sdk'

/*
 * Routes the web app's LMS pages need beyond the resources (docs/web.md,
 * "LMS pages"): a student's (or a parent's children's) work due across
 * courses, and an assignment posted with its rubric in one transaction.
 */

type Schema = NonNullable<OperationDoc['data']>

/** An instant with its offset (`2026-03-02T09:00:00Z`, `…+04:00`): never a wall-clock time without a zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/
const instantRule = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string') return
  if (!INSTANT.test(value) || Number.isNaN(Date.parse(value)))
    field.report(
      'The {{ field }} field must be a date and time with its offset (ISO 8601)',
      'instant',
      field
    )
})
const instant = () => vine.string().trim().use(instantRule())

const workDueQuery = vine.compile(
  vine.object({
    page: vine.number().withoutDecimals().min(1).max(10_000).optional(),
    per_page: vine.number().withoutDecimals().min(1).max(100).optional(),
    until: instant().optional(),
    student_id: id().optional(),
  })
)

const title = () => vine.string().trim().minLength(1).maxLength(200)
const level = vine.object({
  title: title(),
  description: text(5000).nullable().optional(),
  points: vine.number().min(0).max(100_000).use(twoDecimals()),
})
const criterion = vine.object({
  title: title(),
  description: text(5000).nullable().optional(),
  levels: vine.array(level).minLength(1).maxLength(20),
})
const postInput = vine.compile(
  vine.object({
    title: title(),
    instructions: text(50_000).nullable().optional(),
    due_at: instant().nullable().optional(),
    cut_off_at: instant().nullable().optional(),
    max_points: vine.number().min(0.01).max(100_000).use(twoDecimals()),
    attempts_allowed: vine.number().withoutDecimals().min(0).max(100).optional(),
    late_policy: vine.enum(LATE_POLICIES).optional(),
    late_penalty_percent: vine.number().min(0).max(100).use(twoDecimals()).optional(),
    category_id: id().nullable().optional(),
    status: vine.enum(ASSIGNMENT_STATUSES).optional(),
    rubric: vine
      .object({
        title: vine.string().trim().maxLength(200).optional(),
        description: text(20_000).nullable().optional(),
        criteria: vine.array(criterion).minLength(1).maxLength(50),
      })
      .nullable()
      .optional(),
  })
)

const nullableString: Schema = { type: ['string', 'null'] }
const workRow: Schema = {
  type: 'object',
  required: [
    'assignment_id',
    'title',
    'course',
    'due_at',
    'cut_off_at',
    'max_points',
    'late_policy',
    'student',
    'latest_attempt',
  ],
  properties: {
    assignment_id: { type: 'string' },
    title: { type: 'string' },
    course: {
      type: 'object',
      required: ['id', 'code', 'title'],
      properties: { id: { type: 'string' }, code: { type: 'string' }, title: { type: 'string' } },
    },
    due_at: { type: ['string', 'null'], format: 'date-time' },
    cut_off_at: { type: ['string', 'null'], format: 'date-time' },
    max_points: { type: 'string' },
    late_policy: { type: 'string', enum: [...LATE_POLICIES] },
    student: {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: nullableString },
    },
    latest_attempt: {
      type: ['object', 'null'],
      required: ['id', 'attempt', 'status', 'submitted_at', 'late'],
      properties: {
        id: { type: 'string' },
        attempt: { type: 'integer' },
        status: { type: 'string' },
        submitted_at: { type: ['string', 'null'], format: 'date-time' },
        late: { type: 'boolean' },
      },
    },
  },
}

/** The CRUD permissions a rubric needs, beside lms.assignments.create. */
const RUBRIC_PERMISSIONS = ['rubrics', 'rubric_criteria', 'rubric_levels'].map(
  (resource) => `lms.${resource}.create`
)

export function lmsAppRoutes(router: Router) {
  router
    .get('/me/work-due', async (ctx) => {
      const principal = await authorize(ctx, 'lms.assignments.read')
      const query = await workDueQuery.validate(ctx.request.qs())
      const answer = await workDue(principal, {
        page: query.page ?? 1,
        per_page: query.per_page ?? 25,
        until: query.until ? new Date(query.until) : undefined,
        student_id: query.student_id,
      })
      respond(ctx, answer.rows, { pagination: answer.pagination })
    })
    .describe({
      summary: 'Work due for the signed-in student, or for a parent’s children',
      description:
        'Published assignments of every course the student is actively enrolled in that still take work: due from now on or undated (whatever the student did), and past due before the cut-off (or with no cut-off and late work accepted) while nothing is handed in; each with the student’s latest attempt. A parent gets a row per child (`student_id` keeps one child; anyone else’s: 404). Anyone who is neither a student nor a parent gets an empty list. By due date, undated last; `until` keeps the work due by then (undated left out).',
      query: workDueQuery,
      data: { type: 'array', items: workRow },
      errors: [E_LMS_NOT_FOUND, E_VALIDATION],
    })

  router
    .post('/courses/:id/assignments', async (ctx) => {
      const principal = await authorize(ctx, 'lms.assignments.create')
      const input = await postInput.validate(ctx.request.body())
      if (input.rubric) {
        const missing = RUBRIC_PERMISSIONS.find((permission) => !principal.can(permission))
        if (missing) throw new E_FORBIDDEN([`this needs the ${missing} permission`])
      }
      const assignment = await postAssignment(
        param(ctx, 'Course'),
        input,
        principal,
        ctx.request.id() ?? undefined
      )
      respond(ctx, assignment, {
        status: 201,
        location: `/api/v1/lms/assignments/${assignment.id}`,
      })
    })
    .describe({
      summary: 'Post an assignment to a course, with its rubric',
      description:
        'One transaction: the rubric (criteria in order, each with its levels in order) and the assignment pointing at it are all created, or nothing is (a bad rubric, or dates, category or points the assignment cannot take, leave no row). Only the course’s teacher (and admins); dates are instants with their offset.',
      body: postInput,
      status: 201,
      location: '/api/v1/lms/assignments/{id}',
      data: storedRow('course_id', 'title', 'rubric_id', 'status'),
      errors: [E_LMS_NOT_FOUND, E_FORBIDDEN, E_VALIDATION],
    })
}
