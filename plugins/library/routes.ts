import { readFile } from 'node:fs/promises'
import {
  E_ALREADY_BORROWED,
  E_ALREADY_RESERVED,
  E_BORROWER_REQUIRED,
  E_COPY_NOT_AVAILABLE,
  E_COPY_NOT_FOUND,
  E_COPY_NOT_ON_LOAN,
  E_COPY_REFERENCE_ONLY,
  E_FINE_CLOSED,
  E_FINE_INVOICED,
  E_FINES_OUTSTANDING,
  E_IMPORT_INVALID,
  E_LIBRARY_NOT_FOUND,
  E_LOAN_LIMIT_REACHED,
  E_LOAN_OVERDUE,
  E_MEMBER_SUSPENDED,
  E_NOT_A_MEMBER,
  E_NOTHING_TO_RESERVE,
  E_RENEWAL_LIMIT,
  E_RESERVATION_CLOSED,
  E_RESERVATION_HELD,
  E_TITLE_RESERVED,
} from './errors.js'
import { librarySettings } from './settings.js'
import { E_OVER_CREDIT } from '../erp/index.js'
import { declareLost, deskActor, issueCopy, renewLoan, returnCopy } from './services/circulation.js'
import { cancelReservation, placeReservation } from './services/reservations.js'
import { closeFine } from './services/fines.js'
import { importCatalogue } from './services/imports.js'
import { syncMembers } from './services/members.js'
import { overdueReport } from './services/reports.js'
import { present } from './services/present.js'
import {
  actorOf,
  authorize,
  defineIdParam,
  E_VALIDATION,
  fileUpload,
  respond,
  vine,
  vineId,
  withTenantDb,
  type HttpContext,
  type OperationDoc,
  type Router,
} from '@oryne/sdk'

type Schema = NonNullable<OperationDoc['data']>

/** A record as present() shows it (ids as strings, dates as YYYY-MM-DD). */
const record = (...required: string[]): Schema => ({
  type: 'object',
  required: ['id', ...required],
  properties: Object.fromEntries(['id', ...required].map((key) => [key, { type: 'string' }])),
})
const loan = record('copy_id', 'title_id', 'member_id', 'status', 'due_on', 'barcode')
const fine = record('loan_id', 'member_id', 'kind', 'status')
const reservation = record('title_id', 'member_id', 'status')
const closedLoan: Schema = {
  type: 'object',
  required: ['loan', 'days_overdue', 'fines', 'fine_total'],
  properties: {
    loan,
    days_overdue: { type: 'integer' },
    fines: { type: 'array', items: fine },
    fine_total: { type: 'integer' },
  },
}

const id = vineId
const uuid = () => vine.string().trim().uuid()
const barcode = () => vine.string().trim().minLength(1).maxLength(60)
const reason = () => vine.string().trim().minLength(3).maxLength(500)

const borrower = {
  member_id: id().optional(),
  student_id: id().optional(),
  user_id: uuid().optional(),
}

const issueInput = vine.compile(vine.object({ barcode: barcode(), ...borrower }))
const barcodeInput = vine.compile(vine.object({ barcode: barcode() }))
const returnInput = vine.compile(
  vine.object({
    barcode: barcode(),
    condition: vine.enum(['good', 'damaged'] as const).optional(),
    damage_charge: vine.number().withoutDecimals().min(0).max(100_000_000).optional(),
    waive_reason: reason().optional(),
  })
)
const lostInput = vine.compile(
  vine.object({ barcode: barcode(), waive_reason: reason().optional() })
)
const reserveInput = vine.compile(vine.object({ title_id: id(), ...borrower }))
const waiveInput = vine.compile(vine.object({ reason: reason() }))
const settleInput = vine.compile(
  vine.object({ note: vine.string().trim().maxLength(500).optional() })
)
const importInput = vine.compile(
  vine.object({ csv: vine.string().minLength(1).maxLength(5_000_000) })
)
const syncInput = vine.compile(
  vine.object({
    staff_roles: vine
      .array(vine.string().trim().minLength(1).maxLength(60))
      .minLength(1)
      .maxLength(20)
      .optional(),
  })
)

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
const param = defineIdParam(E_LIBRARY_NOT_FOUND)

/** The CSV of an import: the multipart field "file", or `{"csv": "..."}` in JSON. */
async function csvOf(ctx: HttpContext): Promise<string> {
  const file = ctx.request.file('file', { extnames: ['csv', 'txt'], size: '5mb' })
  if (file) {
    if (!file.isValid || !file.tmpPath) {
      throw new E_VALIDATION([], {
        details: [
          { field: 'file', rule: 'file', message: file.errors[0]?.message ?? 'Send a CSV file' },
        ],
      })
    }
    return readFile(file.tmpPath, 'utf8')
  }
  const { csv } = await importInput.validate(ctx.request.body())
  return csv
}

/** The circulation desk, reservations, fines, imports and reports (CRUD comes from the resources). */
export function libraryRoutes(router: Router) {
  router
    .post('/circulation/issue', async (ctx) => {
      const principal = await authorize(ctx, 'library.circulation.issue')
      const { barcode: code, ...who } = await issueInput.validate(ctx.request.body())
      const issued: Record<string, unknown> = await issueCopy(code, who, deskActor(principal))
      respond(ctx, issued, { status: 201, location: `/api/v1/library/loans/${issued.id}` })
    })
    .describe({
      summary: 'Issue a copy to a borrower',
      description:
        'The desk names exactly one borrower (member_id, student_id or user_id); the loan takes the terms of their card rule. Answers the loan, with its address in Location.',
      body: issueInput,
      status: 201,
      location: '/api/v1/library/loans/{id}',
      data: loan,
      errors: [
        E_COPY_NOT_FOUND,
        E_COPY_REFERENCE_ONLY,
        E_COPY_NOT_AVAILABLE,
        E_RESERVATION_HELD,
        E_BORROWER_REQUIRED,
        E_LIBRARY_NOT_FOUND,
        E_MEMBER_SUSPENDED,
        E_FINES_OUTSTANDING,
        E_LOAN_LIMIT_REACHED,
      ],
    })

  router
    .post('/circulation/renew', async (ctx) => {
      const principal = await authorize(ctx, 'library.circulation.renew')
      const input = await barcodeInput.validate(ctx.request.body())
      // Borrowers hold this permission too: they renew their own loans only.
      respond(ctx, await renewLoan(input.barcode, deskActor(principal), { onlyFor: principal }))
    })
    .describe({
      summary: 'Renew the loan of a copy',
      description:
        "Borrowers renew their own loans only (another member's loan is answered as not on loan).",
      body: barcodeInput,
      data: loan,
      errors: [
        E_COPY_NOT_FOUND,
        E_COPY_NOT_ON_LOAN,
        E_NOT_A_MEMBER,
        E_BORROWER_REQUIRED,
        E_RENEWAL_LIMIT,
        E_LOAN_OVERDUE,
        E_TITLE_RESERVED,
        E_FINES_OUTSTANDING,
      ],
    })

  router
    .post('/circulation/return', async (ctx) => {
      const principal = await authorize(ctx, 'library.circulation.return')
      const { barcode: code, ...input } = await returnInput.validate(ctx.request.body())
      if (input.waive_reason) await authorize(ctx, 'library.fines.waive')
      respond(ctx, await returnCopy(code, input, deskActor(principal)))
    })
    .describe({
      summary: 'Take a copy back',
      description:
        'Overdue days (and damage) are charged as fines, billed on an ERP invoice for a student; waive_reason waives them (library.fines.waive). The copy goes to the next reserver.',
      body: returnInput,
      data: {
        ...closedLoan,
        required: [...(closedLoan.required as string[]), 'held_for_reservation'],
        properties: {
          ...(closedLoan.properties as Record<string, Schema>),
          held_for_reservation: { type: ['string', 'null'] },
        },
      },
      errors: [E_COPY_NOT_FOUND, E_COPY_NOT_ON_LOAN],
    })

  router
    .post('/circulation/lost', async (ctx) => {
      const principal = await authorize(ctx, 'library.circulation.return')
      const { barcode: code, ...input } = await lostInput.validate(ctx.request.body())
      if (input.waive_reason) await authorize(ctx, 'library.fines.waive')
      respond(ctx, await declareLost(code, input, deskActor(principal)))
    })
    .describe({
      summary: 'Declare a copy on loan lost',
      description: 'Closes the loan; the replacement cost and any overdue fine are charged.',
      body: lostInput,
      data: closedLoan,
      errors: [E_COPY_NOT_FOUND, E_COPY_NOT_ON_LOAN],
    })

  router
    .post('/reservations', async (ctx) => {
      const principal = await authorize(ctx, 'library.reservations.place')
      const input = await reserveInput.validate(ctx.request.body())
      const placed = await placeReservation(input, principal)
      respond(ctx, placed, { status: 201, location: `/api/v1/library/reservations/${placed.id}` })
    })
    .describe({
      summary: 'Reserve a title',
      description:
        'Joins the queue of the title; a lendable copy on the shelf is held at once. Students reserve for themselves, parents for a child (student_id).',
      body: reserveInput,
      status: 201,
      location: '/api/v1/library/reservations/{id}',
      data: reservation,
      errors: [
        E_LIBRARY_NOT_FOUND,
        E_BORROWER_REQUIRED,
        E_NOT_A_MEMBER,
        E_MEMBER_SUSPENDED,
        E_NOTHING_TO_RESERVE,
        E_ALREADY_BORROWED,
        E_ALREADY_RESERVED,
      ],
    })

  router
    .post('/reservations/:id/cancel', async (ctx) => {
      const principal = await authorize(ctx, 'library.reservations.place')
      respond(ctx, await cancelReservation(param(ctx, 'Reservation'), principal))
    })
    .describe({
      summary: 'Cancel a reservation',
      description: 'A copy held for it goes to the next member waiting.',
      data: reservation,
      errors: [E_LIBRARY_NOT_FOUND, E_RESERVATION_CLOSED],
    })

  router
    .post('/fines/:id/waive', async (ctx) => {
      const principal = await authorize(ctx, 'library.fines.waive')
      const input = await waiveInput.validate(ctx.request.body())
      const by = { ...deskActor(principal), reason: input.reason }
      const fineId = param(ctx, 'Fine')
      respond(ctx, present(await withTenantDb((trx) => closeFine(trx, fineId, 'waived', by))))
    })
    .describe({
      summary: 'Waive a fine',
      description:
        'A fine billed on an ERP invoice is credited on that invoice; the ERP refuses when the student already paid it (ERR_ERP_OVER_CREDIT).',
      body: waiveInput,
      data: fine,
      errors: [E_LIBRARY_NOT_FOUND, E_FINE_CLOSED, E_OVER_CREDIT],
    })

  router
    .post('/fines/:id/settle', async (ctx) => {
      const principal = await authorize(ctx, 'library.fines.settle')
      const input = await settleInput.validate(ctx.request.body())
      const by = { ...deskActor(principal), reason: input.note ?? null }
      const fineId = param(ctx, 'Fine')
      respond(ctx, present(await withTenantDb((trx) => closeFine(trx, fineId, 'paid', by))))
    })
    .describe({
      summary: 'Record a fine paid at the desk',
      description:
        'Only a fine owed to the library; a fine billed on an ERP invoice is paid in the ERP.',
      body: settleInput,
      data: fine,
      errors: [E_LIBRARY_NOT_FOUND, E_FINE_CLOSED, E_FINE_INVOICED],
    })

  router
    .post('/imports/catalogue', async (ctx) => {
      const principal = await authorize(ctx, 'library.titles.import')
      respond(ctx, await importCatalogue(await csvOf(ctx), actorOf(principal)), { status: 201 })
    })
    .describe({
      multipart: fileUpload,
      summary: 'Import titles and copies from a CSV',
      description:
        'The CSV comes as the multipart field "file" or as {"csv": "..."}. All rows or none: an invalid row refuses the file, with every invalid row in error.details.',
      body: importInput,
      status: 201,
      data: {
        type: 'object',
        required: ['titles_created', 'titles_matched', 'copies_created'],
        properties: {
          titles_created: { type: 'integer' },
          titles_matched: { type: 'integer' },
          copies_created: { type: 'integer' },
        },
      },
      errors: [E_IMPORT_INVALID],
    })

  router
    .post('/members/sync', async (ctx) => {
      await authorize(ctx, 'library.members.sync')
      const input = await syncInput.validate(ctx.request.body())
      const roles = input.staff_roles ?? ['Teacher', 'Staff']
      respond(ctx, await withTenantDb((trx) => syncMembers(trx, roles)))
    })
    .describe({
      summary: 'Make every student and staff account a library member',
      description:
        'staff_roles: the roles whose accounts become staff members (Teacher, Staff by default).',
      body: syncInput,
      data: {
        type: 'object',
        required: ['students', 'staff'],
        properties: { students: { type: 'integer' }, staff: { type: 'integer' } },
      },
    })

  router
    .get('/reports/overdue', async (ctx) => {
      await authorize(ctx, 'library.reports.read')
      respond(ctx, await overdueReport())
    })
    .describe({
      summary: 'Overdue loans with the fine accrued so far',
      data: {
        type: 'object',
        required: ['as_of', 'currency', 'loans', 'total_fine_accrued'],
        properties: {
          as_of: { type: 'string', format: 'date' },
          currency: { type: 'string' },
          loans: { type: 'array', items: { type: 'object' } },
          total_fine_accrued: { type: 'integer' },
        },
      },
    })

  router
    .get('/policy', async (ctx) => {
      await authorize(ctx, 'library.titles.read')
      respond(ctx, await librarySettings())
    })
    .describe({
      summary: "The library's lending policy (its settings)",
      data: {
        type: 'object',
        required: ['loan_days', 'max_loans', 'renewals_allowed', 'fine_per_day'],
        properties: { loan_days: {}, max_loans: {}, renewals_allowed: {}, fine_per_day: {} },
      },
    })
}
