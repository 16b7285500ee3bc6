import { enrolApplicant, transitionApplicant } from './services/admissions.js'
import { attendanceSummary, decideLeave, markSection } from './services/attendance.js'
import { dayTimetable } from './services/timetable.js'
import { generateSchedule, outstandingReport } from './services/fees.js'
import { creditInvoice } from './services/credits.js'
import { ATTENDANCE_STATUSES } from './resources/attendance.js'
import { APPLICANT_STATUSES } from './resources/admissions.js'
import { erpSettings } from './settings.js'
import { findImport, startStudentImport } from './services/imports.js'
import {
  E_CREDIT_SOURCE,
  E_ERP_NOT_FOUND,
  E_INVALID_TRANSITION,
  E_NOT_IN_SECTION,
  E_OVER_CREDIT,
  E_SCHEDULE_GENERATED,
  E_SEATS_FULL,
} from './errors.js'
import {
  actorOf,
  authorize,
  defineIdParam,
  E_HOLIDAY,
  E_VALIDATION,
  fileUpload,
  readTenantDb,
  respond,
  storedRow,
  vine,
  vineId,
  withTenantDb,
  type HttpContext,
  type OperationDoc,
  type Principal,
  type Router,
} from '@oryne/sdk'

const id = vineId
const date = () =>
  vine.date({ formats: ['YYYY-MM-DD'] }).transform((d) => d.toISOString().slice(0, 10))

const transition = vine.compile(
  vine.object({
    to: vine.enum(APPLICANT_STATUSES),
    note: vine.string().trim().maxLength(2000).optional(),
  })
)
const enrol = vine.compile(
  vine.object({
    enrollment_no: vine.string().trim().minLength(1).maxLength(40).optional(),
    section_id: id().optional(),
    student_email: vine.string().trim().email().optional(),
  })
)
const bulkMarks = vine.compile(
  vine.object({
    section_id: id(),
    date: date(),
    session: vine.string().trim().minLength(1).maxLength(40).optional(),
    marks: vine
      .array(
        vine.object({
          student_id: id(),
          status: vine.enum(ATTENDANCE_STATUSES),
          note: vine.string().trim().maxLength(300).optional(),
        })
      )
      .minLength(1)
      .maxLength(2000)
      .distinct('student_id'),
  })
)
const summaryQuery = vine.compile(
  vine.object({
    from: date(),
    to: date(),
    section_id: id().optional(),
    student_id: id().optional(),
  })
)
const credit = vine.compile(
  vine.object({
    amount: vine.number().withoutDecimals().min(1).max(2_000_000_000),
    reason: vine.string().trim().minLength(1).maxLength(190),
  })
)
const reportQuery = vine.compile(
  vine.object({ class_id: id().optional(), section_id: id().optional() })
)
const decision = vine.compile(
  vine.object({ note: vine.string().trim().maxLength(2000).optional() })
)
const dayQuery = vine.compile(
  vine.object({ date: date(), section_id: id().optional(), teacher_id: id().optional() })
)

type Schema = NonNullable<OperationDoc['data']>

const stored = storedRow
const object = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
})
const integer: Schema = { type: 'integer' }
const day: Schema = { type: 'string', format: 'date' }
const importRow = stored('kind', 'status', 'file_name')

/** The `:id` of the route: digits only, so a junk id is a 404 and never reaches SQL. */
const paramId = defineIdParam(E_ERP_NOT_FOUND)

function requestId(ctx: HttpContext) {
  return ctx.request.id() ?? undefined
}

/**
 * The student ids a Student or Parent may see (their own profile, their
 * children); null when the principal is not restricted.
 */
async function visibleStudents(principal: Principal): Promise<string[] | null> {
  const restricted =
    principal.roles.length > 0 &&
    principal.roles.every((role) => role === 'Student' || role === 'Parent')
  if (principal.kind !== 'user' || !restricted || principal.roles.includes('TenantAdmin'))
    return null
  return readTenantDb(async (client, table) => {
    const own = await client.from(table('erp_students')).where('user_id', principal.id).select('id')
    const children = await client
      .from(table('erp_guardians'))
      .where('user_id', principal.id)
      .select('student_id as id')
    return [...own, ...children].map((row) => String(row.id))
  })
}

/** The ERP workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function erpRoutes(router: Router) {
  router
    .post('/applicants/:id/transition', async (ctx) => {
      const principal = await authorize(ctx, 'erp.applicants.review')
      const input = await transition.validate(ctx.request.body())
      respond(
        ctx,
        await transitionApplicant(
          paramId(ctx, 'Applicant'),
          input.to,
          input.note ?? null,
          actorOf(principal),
          requestId(ctx)
        )
      )
    })
    .describe({
      summary: 'Move an applicant along the admission workflow',
      description:
        'draft → submitted → under_review → accepted, rejected or waitlisted (a waitlisted applicant is accepted or rejected later; docs/plugins/erp.md); enrolment has its own route.',
      body: transition,
      data: stored('status'),
      errors: [E_ERP_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/applicants/:id/enrol', async (ctx) => {
      const principal = await authorize(ctx, 'erp.applicants.enrol')
      const input = await enrol.validate(ctx.request.body())
      const enrolled = await enrolApplicant(
        paramId(ctx, 'Applicant'),
        input,
        actorOf(principal),
        requestId(ctx)
      )
      respond(ctx, enrolled, {
        status: 201,
        location: `/api/v1/erp/students/${enrolled.student.id}`,
      })
    })
    .describe({
      summary: 'Enrol an accepted applicant as a student',
      description:
        "Takes a seat of the campaign, creates the student (its address in Location), the guardian's Parent account and, with student_email, the student's account.",
      body: enrol,
      status: 201,
      location: '/api/v1/erp/students/{id}',
      data: object({
        student: stored('enrollment_no', 'status'),
        guardian_user_id: { type: 'string' },
        student_user_id: { type: ['string', 'null'] },
        invites: integer,
      }),
      errors: [E_ERP_NOT_FOUND, E_INVALID_TRANSITION, E_SEATS_FULL],
    })

  router
    .post('/fee_schedules/:id/generate', async (ctx) => {
      const principal = await authorize(ctx, 'erp.fee_schedules.generate')
      respond(ctx, await generateSchedule(paramId(ctx, 'Fee schedule'), actorOf(principal)), {
        status: 201,
      })
    })
    .describe({
      summary: 'Generate the invoices of a fee schedule',
      description:
        'One invoice per student the schedule covers, once: a schedule generates only once.',
      status: 201,
      data: object({ schedule_id: { type: 'string' }, invoices: integer }),
      errors: [E_ERP_NOT_FOUND, E_SCHEDULE_GENERATED],
    })

  /*
   * Credits the ERP's own invoices (source `fees`): crediting all that is
   * unpaid of an unpaid invoice cancels it. A charge another plugin billed is
   * taken back through that plugin (ERR_ERP_CREDIT_SOURCE).
   */
  router
    .post('/invoices/:id/credits', async (ctx) => {
      const principal = await authorize(ctx, 'erp.invoices.credit')
      const input = await credit.validate(ctx.request.body())
      const invoiceId = paramId(ctx, 'Invoice')
      const result = await withTenantDb((trx) =>
        creditInvoice(trx, {
          ...input,
          invoice_id: invoiceId,
          source: 'fees',
          actor: actorOf(principal),
        })
      )
      respond(
        ctx,
        { invoice: result.invoice, credit: result.line },
        { status: 201, location: `/api/v1/erp/invoice_lines/${result.line.id}` }
      )
    })
    .describe({
      summary: 'Credit an invoice',
      description:
        'A credit line (its address in Location) takes back what is still unpaid; crediting all that is unpaid of an unpaid invoice cancels it. Only invoices the ERP billed itself (source fees).',
      body: credit,
      status: 201,
      location: '/api/v1/erp/invoice_lines/{id}',
      data: object({ invoice: stored('status', 'amount'), credit: stored('amount') }),
      errors: [E_ERP_NOT_FOUND, E_CREDIT_SOURCE, E_OVER_CREDIT],
    })

  router
    .get('/reports/outstanding', async (ctx) => {
      await authorize(ctx, 'erp.reports.read')
      respond(ctx, await outstandingReport(await reportQuery.validate(ctx.request.qs())))
    })
    .describe({
      summary: 'What each student owes today, late fines included',
      query: reportQuery,
      data: object({
        as_of: day,
        currency: { type: 'string' },
        students: {
          type: 'array',
          items: object({ student_id: { type: 'string' }, balance: integer }),
        },
        total: integer,
      }),
    })

  router
    .post('/attendance/bulk', async (ctx) => {
      const principal = await authorize(ctx, 'erp.attendance_marks.create')
      const input = await bulkMarks.validate(ctx.request.body())
      const settings = await erpSettings()
      const result = await markSection(
        { ...input, session: input.session ?? 'day' },
        {
          actor: actorOf(principal),
          userId: principal.kind === 'user' ? principal.id : null,
          threshold: settings.attendance_threshold,
          windowDays: settings.attendance_window_days,
          requestId: requestId(ctx),
        }
      )
      if (result.not_in_section.length) {
        throw new E_NOT_IN_SECTION([result.not_in_section.length, input.section_id], {
          details: result.not_in_section.map((student) => ({
            field: 'marks',
            student_id: student,
            rule: 'in_section',
          })),
        })
      }
      respond(ctx, result)
    })
    .describe({
      summary: 'Mark the attendance of a section for one date',
      description:
        'All marks or none: a student not in the section refuses the request (each one in error.details). A mark already there for the student, date and session is replaced. No marks on a holiday.',
      body: bulkMarks,
      data: object({
        marked: integer,
        not_in_section: { type: 'array', items: { type: 'string' } },
        below_threshold: { type: 'array', items: { type: 'string' } },
      }),
      errors: [E_NOT_IN_SECTION, E_HOLIDAY],
    })

  router
    .get('/attendance/summary', async (ctx) => {
      const principal = await authorize(ctx, 'erp.attendance_marks.read')
      const query = await summaryQuery.validate(ctx.request.qs())
      const visible = await visibleStudents(principal)
      let studentIds = query.student_id ? [query.student_id] : null
      if (visible)
        studentIds = (studentIds ?? visible).filter((student) => visible.includes(student))
      respond(ctx, await attendanceSummary({ ...query, student_ids: studentIds }))
    })
    .describe({
      summary: 'Attendance counts and percentage per student over a period',
      description: 'Students and parents see their own records (their children) only.',
      query: summaryQuery,
      data: {
        type: 'array',
        items: {
          type: 'object',
          required: ['student_id', 'present', 'absent', 'late', 'excused', 'percent'],
          properties: {
            student_id: { type: 'string' },
            present: integer,
            absent: integer,
            late: integer,
            excused: integer,
            percent: { type: ['number', 'null'] },
          },
        },
      },
    })

  /* One date of the timetable: the day's classes, or the holiday and none. */
  router
    .get('/timetable/day', async (ctx) => {
      await authorize(ctx, 'erp.timetable_slots.read')
      const { date: on, ...who } = await dayQuery.validate(ctx.request.qs())
      respond(ctx, await dayTimetable(on, who))
    })
    .describe({
      summary: 'The classes of one date, substitutions applied',
      description: 'On a holiday the day carries the holiday and no classes.',
      query: dayQuery,
      data: {
        type: 'object',
        required: ['date', 'weekday', 'holiday', 'slots'],
        properties: {
          date: day,
          weekday: integer,
          holiday: { type: ['object', 'null'] },
          slots: { type: 'array', items: { type: 'object' } },
        },
      },
    })

  router
    .post('/imports/students', async (ctx) => {
      const principal = await authorize(ctx, 'erp.students.import')
      const file = ctx.request.file('file', { extnames: ['csv', 'txt'] })
      if (!file || !file.isValid || !file.tmpPath) {
        throw new E_VALIDATION([], {
          details: [
            {
              field: 'file',
              rule: 'file',
              message: file?.errors[0]?.message ?? 'Send the CSV as multipart field "file"',
            },
          ],
        })
      }
      const created = await startStudentImport(file.tmpPath, file.clientName, actorOf(principal))
      respond(ctx, created, { status: 202, location: `/api/v1/erp/imports/${created.id}` })
    })
    .describe({
      multipart: fileUpload,
      summary: 'Import students from a CSV (queued)',
      description:
        'The CSV in the multipart field "file". The import runs in the background: follow it at the address in Location (GET /api/v1/erp/imports/{id}).',
      status: 202,
      location: '/api/v1/erp/imports/{id}',
      data: importRow,
      errors: [E_VALIDATION],
    })

  router
    .get('/imports/:id', async (ctx) => {
      await authorize(ctx, 'erp.students.import')
      respond(ctx, await findImport(paramId(ctx, 'Import')))
    })
    .describe({
      summary: 'A student import: its state and its report',
      data: importRow,
      errors: [E_ERP_NOT_FOUND],
    })

  for (const [verb, outcome] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    router
      .post(`/leave_applications/:id/${verb}`, async (ctx) => {
        const principal = await authorize(ctx, 'erp.leave_applications.decide')
        const input = await decision.validate(ctx.request.body())
        respond(
          ctx,
          await decideLeave(paramId(ctx, 'Leave application'), outcome, input.note ?? null, {
            actor: actorOf(principal),
            userId: principal.kind === 'user' ? principal.id : null,
            requestId: requestId(ctx),
          })
        )
      })
      .describe({
        summary: verb === 'approve' ? 'Approve a leave application' : 'Reject a leave application',
        description:
          verb === 'approve'
            ? "Only a pending application; the student's absences of those days become excused."
            : 'Only a pending application.',
        body: decision,
        data: stored('status', 'marks_excused'),
        errors: [E_ERP_NOT_FOUND, E_INVALID_TRANSITION],
      })
  }
}
