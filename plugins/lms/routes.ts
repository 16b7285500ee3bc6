import { E_DOWNLOAD_LINK_INVALID, E_LMS_NOT_FOUND } from './errors.js'
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
import { E_VALIDATION, authorize, respond, vine, type HttpContext, type Router } from '@oryne/sdk'

/** A record id as the API returns them: a string of digits. */
const id = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{1,18}$/)
const text = (max: number) => vine.string().trim().maxLength(max)

/** Points: a JSON number with at most two decimals (kept exact: see services/points.ts). */
const twoDecimals = vine.createRule((value, _options, field) => {
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
function param(ctx: HttpContext, name: string, what: string): string {
  const value = String(ctx.params[name])
  if (!/^\d{1,18}$/.test(value)) throw new E_LMS_NOT_FOUND([what, value.slice(0, 40)])
  return value
}

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
  router.post('/courses/:id/enrol-section', async (ctx) => {
    const principal = await authorize(ctx, 'lms.enrolments.create')
    const input = await enrolSectionInput.validate(ctx.request.body())
    respond(ctx, await enrolSection(param(ctx, 'id', 'Course'), input, principal, requestId(ctx)), {
      status: 201,
    })
  })

  router.get('/courses/:id/gradebook', async (ctx) => {
    const principal = await authorize(ctx, 'lms.gradebook.read')
    const query = await gradebookQuery.validate(ctx.request.qs())
    respond(ctx, await gradebook(param(ctx, 'id', 'Course'), query, principal))
  })

  router.post('/materials/:id/file', async (ctx) => {
    const principal = await authorize(ctx, 'lms.materials.update')
    const materialId = param(ctx, 'id', 'Material')
    const file = acceptUpload(ctx.request.file('file'), await lmsSettings())
    respond(ctx, await uploadMaterialFile(materialId, file, principal, requestId(ctx)))
  })

  router.get('/materials/:id/download-url', async (ctx) => {
    const principal = await authorize(ctx, 'lms.materials.read')
    const { download_link_ttl_seconds: ttl } = await lmsSettings()
    respond(ctx, await materialLink(param(ctx, 'id', 'Material'), principal, ttl))
  })

  // Authorised by the link's signature alone, so that a browser can follow it.
  router.get('/materials/:id/download', async (ctx) => {
    const query = await signedQuery(ctx)
    sendFile(ctx, await materialDownload(param(ctx, 'id', 'Material'), query))
  })

  router.post('/assignments/:id/submissions', async (ctx) => {
    const principal = await authorize(ctx, 'lms.submissions.submit')
    const input = await attemptInput.validate(ctx.request.body())
    respond(
      ctx,
      await startAttempt(param(ctx, 'id', 'Assignment'), input, principal, requestId(ctx)),
      {
        status: 201,
      }
    )
  })

  router.post('/assignments/:id/release', async (ctx) => {
    const principal = await authorize(ctx, 'lms.grades.release')
    const input = await releaseInput.validate(ctx.request.body())
    respond(
      ctx,
      await releaseGrades(param(ctx, 'id', 'Assignment'), input, principal, requestId(ctx))
    )
  })

  router.put('/submissions/:id/draft', async (ctx) => {
    const principal = await authorize(ctx, 'lms.submissions.submit')
    const input = await draftInput.validate(ctx.request.body())
    respond(
      ctx,
      await saveDraft(param(ctx, 'id', 'Submission'), input.text, principal, requestId(ctx))
    )
  })

  router.post('/submissions/:id/files', async (ctx) => {
    const principal = await authorize(ctx, 'lms.submissions.submit')
    const submissionId = param(ctx, 'id', 'Submission')
    const file = acceptUpload(ctx.request.file('file'), await lmsSettings())
    respond(ctx, await attachFile(submissionId, file, principal, requestId(ctx)), { status: 201 })
  })

  router.get('/submissions/:id/files/:index/download-url', async (ctx) => {
    const principal = await authorize(ctx, 'lms.submissions.read')
    const { download_link_ttl_seconds: ttl } = await lmsSettings()
    const index = Number(param(ctx, 'index', 'Submission file'))
    respond(ctx, await submissionFileLink(param(ctx, 'id', 'Submission'), index, principal, ttl))
  })

  // Authorised by the link's signature alone, so that a browser can follow it.
  router.get('/submissions/:id/files/:index/download', async (ctx) => {
    const query = await signedQuery(ctx)
    const index = Number(param(ctx, 'index', 'Submission file'))
    sendFile(ctx, await submissionFileDownload(param(ctx, 'id', 'Submission'), index, query))
  })

  router.post('/submissions/:id/submit', async (ctx) => {
    const principal = await authorize(ctx, 'lms.submissions.submit')
    respond(ctx, await submit(param(ctx, 'id', 'Submission'), principal, requestId(ctx)))
  })

  router.post('/submissions/:id/grade', async (ctx) => {
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
      await gradeSubmission(param(ctx, 'id', 'Submission'), input, principal, requestId(ctx))
    )
  })

  router.post('/submissions/:id/return', async (ctx) => {
    const principal = await authorize(ctx, 'lms.submissions.grade')
    const input = await returnInput.validate(ctx.request.body())
    respond(
      ctx,
      await returnSubmission(param(ctx, 'id', 'Submission'), input, principal, requestId(ctx))
    )
  })

  router.post('/live_sessions/:id/join', async (ctx) => {
    const principal = await authorize(ctx, 'lms.live_sessions.join')
    respond(
      ctx,
      await joinSession(
        param(ctx, 'id', 'Live session'),
        principal,
        await lmsSettings(),
        requestId(ctx)
      )
    )
  })

  router.post('/live_sessions/:id/attendance', async (ctx) => {
    const principal = await authorize(ctx, 'lms.live_attendance.capture')
    const { marks } = await attendanceInput.validate(ctx.request.body())
    const result = await captureAttendance(
      param(ctx, 'id', 'Live session'),
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
}
