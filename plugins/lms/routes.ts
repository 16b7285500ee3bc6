import {
  E_ATTEMPT_OPEN,
  E_ATTEMPTS_EXHAUSTED,
  E_COURSE_CLOSED,
  E_DOWNLOAD_LINK_INVALID,
  E_FILE_MISSING,
  E_FILE_REJECTED,
  E_INVALID_TRANSITION,
  E_LATE_REJECTED,
  E_LMS_NOT_FOUND,
  E_NO_STUDENT_PROFILE,
  E_NOT_ENROLLED,
  E_PAST_CUT_OFF,
  E_POINTS_OUT_OF_RANGE,
  E_RUBRIC_MISMATCH,
  E_SESSION_NOT_OPEN,
  E_SUBMISSION_LOCKED,
} from './errors.js'
import { lmsSettings } from './settings.js'
import { ATTENDANCE_STATUSES } from './resources/live.js'
import { enrolSection } from './services/courses.js'
import { attachFile, saveDraft, startAttempt, submit } from './services/submissions.js'
import { gradeSubmission, releaseGrades, returnSubmission } from './services/grading.js'
import { gradebook } from './services/gradebook.js'
import {
  materialDownload,
  materialLink,
  submissionFileDownload,
  submissionFileLink,
  uploadMaterialFile,
  type Download,
} from './services/materials.js'
import { captureAttendance, joinSession } from './services/live.js'
import { acceptUpload } from './services/files.js'
import {
  authorize,
  defineIdParam,
  E_VALIDATION,
  fileUpload,
  respond,
  storedRow,
  vine,
  vineId,
  type HttpContext,
  type OperationDoc,
  type Router,
} from '@oryne/sdk'

type Schema = NonNullable<OperationDoc['data']>

const stored = storedRow
const submission = stored('assignment_id', 'student_id', 'attempt', 'status')
const integer: Schema = { type: 'integer' }
/** A signed link to a file (docs/plugins/lms.md, "Files"). */
const fileLink: Schema = {
  type: 'object',
  required: ['url', 'expires_at', 'file_name'],
  properties: {
    url: { type: 'string' },
    expires_at: { type: 'string', format: 'date-time' },
    file_name: { type: 'string' },
  },
}
/** What a signed link answers: the file itself, as an attachment. */
const download: OperationDoc['raw'] = {
  contentType: 'application/octet-stream',
  schema: { type: 'string', format: 'binary' },
}

/** A record id as the API returns them: a string of digits. */
export const id = vineId
export const text = (max: number) => vine.string().trim().maxLength(max)

/** Points: a JSON number with at most two decimals (kept exact: see services/points.ts). */
export const twoDecimals = vine.createRule((value, _options, field) => {
  if (typeof value === 'number' && Math.abs(Math.round(value * 100) - value * 100) > 1e-6) {
    field.report('The {{ field }} field takes at most 2 decimals', 'decimals', field)
  }
})

const enrolSectionInput = vine.compile(
  vine.object({ section_id: id(), course_section_id: id().optional() })
)
const attemptInput = vine.compile(
  vine.object({
    text: text(100_000).nullable().optional(),
    student_id: id().optional(),
    submit: vine.boolean().optional(),
  })
)
const draftInput = vine.compile(vine.object({ text: text(100_000).nullable() }))
const gradeInput = vine.compile(
  vine.object({
    points: vine.number().min(0).max(100_000).use(twoDecimals()).optional(),
    rubric: vine
      .array(vine.object({ criterion_id: id(), level_id: id() }))
      .minLength(1)
      .maxLength(100)
      .distinct('criterion_id')
      .optional(),
    feedback: text(20_000).nullable().optional(),
  })
)
const returnInput = vine.compile(vine.object({ feedback: text(20_000).nullable().optional() }))
const releaseInput = vine.compile(
  vine.object({
    submission_ids: vine.array(id()).minLength(1).maxLength(5000).distinct().optional(),
  })
)
const gradebookQuery = vine.compile(
  vine.object({
    released_only: vine.boolean().optional(),
    missing_as_zero: vine.boolean().optional(),
    student_id: id().optional(),
  })
)
const attendanceInput = vine.compile(
  vine.object({
    marks: vine
      .array(
        vine.object({
          student_id: id(),
          status: vine.enum(ATTENDANCE_STATUSES),
          note: text(300).nullable().optional(),
        })
      )
      .minLength(1)
      .maxLength(2000)
      .distinct('student_id'),
  })
)
const linkQuery = vine.compile(
  vine.object({
    expires: vine.string().regex(/^\d{1,12}$/),
    signature: vine.string().regex(/^[\w-]{43}$/),
  })
)

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
export const param = defineIdParam(E_LMS_NOT_FOUND)

function requestId(ctx: HttpContext) {
  return ctx.request.id() ?? undefined
}

/** The query of a signed link; a malformed one is as invalid as a forged one. */
async function signedQuery(ctx: HttpContext) {
  const [error, query] = await linkQuery.tryValidate(ctx.request.qs())
  if (error) throw new E_DOWNLOAD_LINK_INVALID()
  return query
}

/** Sends a stored file as an attachment, never rendered inline by the browser. */
function sendFile(ctx: HttpContext, file: Download) {
  ctx.response.header('Cache-Control', 'private, no-store')
  ctx.response.header('X-Content-Type-Options', 'nosniff')
  ctx.response.attachment(file.path, file.name)
}

/** The LMS workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function lmsRoutes(router: Router) {
  router
    .post('/courses/:id/enrol-section', async (ctx) => {
      const principal = await authorize(ctx, 'lms.enrolments.create')
      const input = await enrolSectionInput.validate(ctx.request.body())
      respond(ctx, await enrolSection(param(ctx, 'Course'), input, principal, requestId(ctx)))
    })
    .describe({
      summary: 'Enrol the students of an ERP section in a course',
      description:
        'New students are enrolled, dropped ones come back, enrolled ones are left alone: running it twice changes nothing (200, not 201: it may create nothing). They land in the course section linked to the ERP section (made on first use) or in course_section_id.',
      body: enrolSectionInput,
      data: {
        type: 'object',
        required: ['course_id', 'course_section_id', 'enrolled', 'reactivated', 'already_enrolled'],
        properties: {
          course_id: {},
          course_section_id: {},
          enrolled: integer,
          reactivated: integer,
          already_enrolled: integer,
        },
      },
      errors: [E_LMS_NOT_FOUND, E_COURSE_CLOSED, E_VALIDATION],
    })

  router
    .get('/courses/:id/gradebook', async (ctx) => {
      const principal = await authorize(ctx, 'lms.gradebook.read')
      const query = await gradebookQuery.validate(ctx.request.qs())
      respond(ctx, await gradebook(param(ctx, 'Course'), query, principal))
    })
    .describe({
      summary: "A course's gradebook",
      description:
        'Teachers see every student and unreleased grades; students and parents see their own (their children’s) released grades.',
      query: gradebookQuery,
      data: {
        type: 'object',
        required: ['course', 'released_only', 'missing_as_zero', 'categories'],
        properties: { course: {}, released_only: {}, missing_as_zero: {}, categories: {} },
      },
      errors: [E_LMS_NOT_FOUND],
    })

  router
    .post('/materials/:id/file', async (ctx) => {
      const principal = await authorize(ctx, 'lms.materials.update')
      const materialId = param(ctx, 'Material')
      const file = acceptUpload(ctx.request.file('file'), await lmsSettings())
      respond(ctx, await uploadMaterialFile(materialId, file, principal, requestId(ctx)))
    })
    .describe({
      multipart: fileUpload,
      summary: "Upload a material's file",
      description:
        'multipart/form-data, the file in the field "file", within the type and size limits of the LMS settings; replaces the previous file.',
      data: stored('file_name'),
      errors: [E_LMS_NOT_FOUND, E_FILE_REJECTED],
    })

  router
    .get('/materials/:id/download-url', async (ctx) => {
      const principal = await authorize(ctx, 'lms.materials.read')
      const { download_link_ttl_seconds: ttl } = await lmsSettings()
      respond(ctx, await materialLink(param(ctx, 'Material'), principal, ttl))
    })
    .describe({
      summary: "A signed link to a material's file",
      description: 'The link works without a token for a few minutes (download_link_ttl_seconds).',
      data: fileLink,
      errors: [E_LMS_NOT_FOUND, E_FILE_MISSING],
    })

  // Authorised by the link's signature alone, so that a browser can follow it.
  router
    .get('/materials/:id/download', async (ctx) => {
      const query = await signedQuery(ctx)
      sendFile(ctx, await materialDownload(param(ctx, 'Material'), query))
    })
    .describe({
      summary: "Download a material's file by its signed link",
      description: 'Follow the url of download-url as it is: the signature is the credential.',
      security: [],
      raw: download,
      errors: [E_LMS_NOT_FOUND, E_DOWNLOAD_LINK_INVALID],
    })

  router
    .post('/assignments/:id/submissions', async (ctx) => {
      const principal = await authorize(ctx, 'lms.submissions.submit')
      const input = await attemptInput.validate(ctx.request.body())
      const started = await startAttempt(param(ctx, 'Assignment'), input, principal, requestId(ctx))
      respond(ctx, started, { status: 201, location: `/api/v1/lms/submissions/${started.id}` })
    })
    .describe({
      summary: 'Start an attempt at an assignment',
      description:
        'A draft (submitted at once with submit: true), its address in Location. Students hand in their own work; admins name the student. Refused past the cut-off, late under the reject policy, while an attempt is open, or when the attempts are used up.',
      body: attemptInput,
      status: 201,
      location: '/api/v1/lms/submissions/{id}',
      data: submission,
      errors: [
        E_LMS_NOT_FOUND,
        E_COURSE_CLOSED,
        E_INVALID_TRANSITION,
        E_NO_STUDENT_PROFILE,
        E_NOT_ENROLLED,
        E_ATTEMPT_OPEN,
        E_ATTEMPTS_EXHAUSTED,
        E_PAST_CUT_OFF,
        E_LATE_REJECTED,
      ],
    })

  router
    .post('/assignments/:id/release', async (ctx) => {
      const principal = await authorize(ctx, 'lms.grades.release')
      const input = await releaseInput.validate(ctx.request.body())
      respond(ctx, await releaseGrades(param(ctx, 'Assignment'), input, principal, requestId(ctx)))
    })
    .describe({
      summary: 'Release the grades of an assignment to its students',
      description: 'Every unreleased grade, or those of submission_ids.',
      body: releaseInput,
      data: {
        type: 'object',
        required: ['assignment_id', 'released', 'submission_ids'],
        properties: {
          assignment_id: {},
          released: integer,
          submission_ids: { type: 'array', items: { type: 'string' } },
        },
      },
      errors: [E_LMS_NOT_FOUND],
    })

  router
    .put('/submissions/:id/draft', async (ctx) => {
      const principal = await authorize(ctx, 'lms.submissions.submit')
      const input = await draftInput.validate(ctx.request.body())
      respond(ctx, await saveDraft(param(ctx, 'Submission'), input.text, principal, requestId(ctx)))
    })
    .describe({
      summary: 'Replace the text of a draft',
      body: draftInput,
      data: submission,
      errors: [E_LMS_NOT_FOUND, E_SUBMISSION_LOCKED],
    })

  router
    .post('/submissions/:id/files', async (ctx) => {
      const principal = await authorize(ctx, 'lms.submissions.submit')
      const submissionId = param(ctx, 'Submission')
      const file = acceptUpload(ctx.request.file('file'), await lmsSettings())
      const attached = await attachFile(submissionId, file, principal, requestId(ctx))
      const index = (attached.files as unknown[]).length - 1
      respond(ctx, attached, {
        status: 201,
        location: `/api/v1/lms/submissions/${submissionId}/files/${index}/download-url`,
      })
    })
    .describe({
      multipart: fileUpload,
      summary: 'Attach a file to a draft',
      description:
        'multipart/form-data, the file in the field "file", within the type and size limits of the LMS settings. Answers the submission with the file added; Location is the address of the new file\'s link (download-url).',
      status: 201,
      location: '/api/v1/lms/submissions/{id}/files/{index}/download-url',
      data: submission,
      errors: [E_LMS_NOT_FOUND, E_SUBMISSION_LOCKED, E_FILE_REJECTED, E_VALIDATION],
    })

  router
    .get('/submissions/:id/files/:index/download-url', async (ctx) => {
      const principal = await authorize(ctx, 'lms.submissions.read')
      const { download_link_ttl_seconds: ttl } = await lmsSettings()
      const index = Number(param(ctx, 'Submission file', 'index'))
      respond(ctx, await submissionFileLink(param(ctx, 'Submission'), index, principal, ttl))
    })
    .describe({
      summary: 'A signed link to one file of a submission',
      description: 'The link works without a token for a few minutes (download_link_ttl_seconds).',
      data: fileLink,
      errors: [E_LMS_NOT_FOUND, E_FILE_MISSING],
    })

  // Authorised by the link's signature alone, so that a browser can follow it.
  router
    .get('/submissions/:id/files/:index/download', async (ctx) => {
      const query = await signedQuery(ctx)
      const index = Number(param(ctx, 'Submission file', 'index'))
      sendFile(ctx, await submissionFileDownload(param(ctx, 'Submission'), index, query))
    })
    .describe({
      summary: 'Download a file of a submission by its signed link',
      description: 'Follow the url of download-url as it is: the signature is the credential.',
      security: [],
      raw: download,
      errors: [E_LMS_NOT_FOUND, E_DOWNLOAD_LINK_INVALID],
    })

  router
    .post('/submissions/:id/submit', async (ctx) => {
      const principal = await authorize(ctx, 'lms.submissions.submit')
      respond(ctx, await submit(param(ctx, 'Submission'), principal, requestId(ctx)))
    })
    .describe({
      summary: 'Hand in a draft',
      description: 'draft → submitted; refused past the cut-off, or late under the reject policy.',
      data: submission,
      errors: [E_LMS_NOT_FOUND, E_INVALID_TRANSITION, E_PAST_CUT_OFF, E_LATE_REJECTED],
    })

  router
    .post('/submissions/:id/grade', async (ctx) => {
      const principal = await authorize(ctx, 'lms.submissions.grade')
      const input = await gradeInput.validate(ctx.request.body())
      if ((input.points === undefined) === (input.rubric === undefined)) {
        throw new E_VALIDATION([], {
          details: [
            { field: 'points', rule: 'oneOf', message: 'Give either points or a rubric selection' },
          ],
        })
      }
      respond(
        ctx,
        await gradeSubmission(param(ctx, 'Submission'), input, principal, requestId(ctx))
      )
    })
    .describe({
      summary: 'Grade a submitted attempt',
      description:
        "Either points (at most the assignment's max_points) or a rubric selection (one level of each criterion of the assignment's rubric); grading again replaces the grade.",
      body: gradeInput,
      data: stored('submission_id', 'points', 'final_points'),
      errors: [E_LMS_NOT_FOUND, E_INVALID_TRANSITION, E_POINTS_OUT_OF_RANGE, E_RUBRIC_MISMATCH],
    })

  router
    .post('/submissions/:id/return', async (ctx) => {
      const principal = await authorize(ctx, 'lms.submissions.grade')
      const input = await returnInput.validate(ctx.request.body())
      respond(
        ctx,
        await returnSubmission(param(ctx, 'Submission'), input, principal, requestId(ctx))
      )
    })
    .describe({
      summary: 'Return a graded attempt to its student',
      description:
        'graded → returned: the student may start a next attempt, if the assignment allows it.',
      body: returnInput,
      data: {
        ...submission,
        required: [...(submission.required as string[]), 'grade'],
        properties: { ...(submission.properties as Record<string, Schema>), grade: {} },
      },
      errors: [E_LMS_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/live_sessions/:id/join', async (ctx) => {
      const principal = await authorize(ctx, 'lms.live_sessions.join')
      respond(
        ctx,
        await joinSession(
          param(ctx, 'Live session'),
          principal,
          await lmsSettings(),
          requestId(ctx)
        )
      )
    })
    .describe({
      summary: 'Join a live session',
      description:
        "The meeting address, from join_opens_minutes_before the start to the end; a student's attendance is recorded.",
      data: {
        type: 'object',
        required: ['session_id', 'provider', 'url', 'starts_at', 'ends_at', 'attendance'],
        properties: {
          provider: {},
          starts_at: {},
          ends_at: {},
          attendance: {},
          session_id: { type: 'string' },
          url: { type: 'string' },
        },
      },
      errors: [E_LMS_NOT_FOUND, E_SESSION_NOT_OPEN, E_NO_STUDENT_PROFILE],
    })

  router
    .post('/live_sessions/:id/attendance', async (ctx) => {
      const principal = await authorize(ctx, 'lms.live_attendance.capture')
      const { marks } = await attendanceInput.validate(ctx.request.body())
      const result = await captureAttendance(
        param(ctx, 'Live session'),
        marks,
        principal,
        requestId(ctx)
      )
      if (result.not_enrolled.length) {
        throw new E_VALIDATION([], {
          details: result.not_enrolled.map((student) => ({
            field: 'marks',
            rule: 'enrolled',
            student_id: student,
            message: `Student ${student} is not enrolled in this course`,
          })),
        })
      }
      respond(ctx, result)
    })
    .describe({
      summary: 'Record the attendance of a live session',
      description:
        'All marks or none: a student not enrolled in the course refuses the request (each one in error.details).',
      body: attendanceInput,
      data: {
        type: 'object',
        required: ['marked', 'not_enrolled'],
        properties: { marked: integer, not_enrolled: { type: 'array', items: { type: 'string' } } },
      },
      errors: [E_LMS_NOT_FOUND],
    })
}
