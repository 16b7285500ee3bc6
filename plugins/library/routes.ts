import { readFile } from 'node:fs/promises'
import { E_COPY_NOT_FOUND, E_LIBRARY_NOT_FOUND } from './errors.js'
import { librarySettings } from './settings.js'
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
  E_VALIDATION,
  respond,
  vine,
  withTenantDb,
  type HttpContext,
  type Router,
} from '@oryne/sdk'

const id = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{1,18}$/)
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
function param(ctx: HttpContext, what: string): string {
  const value = String(ctx.params.id)
  if (!/^\d{1,18}$/.test(value)) throw new E_LIBRARY_NOT_FOUND([what, value.slice(0, 40)])
  return value
}

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
      respond(ctx, await issueCopy(code, who, deskActor(principal)), { status: 201 })
    })
    .describe({
      summary: 'Issue a copy to a borrower',
      body: issueInput,
      status: 201,
      errors: [E_COPY_NOT_FOUND],
    })

  router.post('/circulation/renew', async (ctx) => {
    const principal = await authorize(ctx, 'library.circulation.renew')
    const input = await barcodeInput.validate(ctx.request.body())
    // Borrowers hold this permission too: they renew their own loans only.
    respond(ctx, await renewLoan(input.barcode, deskActor(principal), { onlyFor: principal }))
  })

  router.post('/circulation/return', async (ctx) => {
    const principal = await authorize(ctx, 'library.circulation.return')
    const { barcode: code, ...input } = await returnInput.validate(ctx.request.body())
    if (input.waive_reason) await authorize(ctx, 'library.fines.waive')
    respond(ctx, await returnCopy(code, input, deskActor(principal)))
  })

  router.post('/circulation/lost', async (ctx) => {
    const principal = await authorize(ctx, 'library.circulation.return')
    const { barcode: code, ...input } = await lostInput.validate(ctx.request.body())
    if (input.waive_reason) await authorize(ctx, 'library.fines.waive')
    respond(ctx, await declareLost(code, input, deskActor(principal)))
  })

  router.post('/reservations', async (ctx) => {
    const principal = await authorize(ctx, 'library.reservations.place')
    const input = await reserveInput.validate(ctx.request.body())
    respond(ctx, await placeReservation(input, principal), { status: 201 })
  })

  router.post('/reservations/:id/cancel', async (ctx) => {
    const principal = await authorize(ctx, 'library.reservations.place')
    respond(ctx, await cancelReservation(param(ctx, 'Reservation'), principal))
  })

  router.post('/fines/:id/waive', async (ctx) => {
    const principal = await authorize(ctx, 'library.fines.waive')
    const input = await waiveInput.validate(ctx.request.body())
    const by = { ...deskActor(principal), reason: input.reason }
    const fineId = param(ctx, 'Fine')
    respond(ctx, present(await withTenantDb((trx) => closeFine(trx, fineId, 'waived', by))))
  })

  router.post('/fines/:id/settle', async (ctx) => {
    const principal = await authorize(ctx, 'library.fines.settle')
    const input = await settleInput.validate(ctx.request.body())
    const by = { ...deskActor(principal), reason: input.note ?? null }
    const fineId = param(ctx, 'Fine')
    respond(ctx, present(await withTenantDb((trx) => closeFine(trx, fineId, 'paid', by))))
  })

  router.post('/imports/catalogue', async (ctx) => {
    const principal = await authorize(ctx, 'library.titles.import')
    respond(ctx, await importCatalogue(await csvOf(ctx), actorOf(principal)), { status: 201 })
  })

  router.post('/members/sync', async (ctx) => {
    await authorize(ctx, 'library.members.sync')
    const input = await syncInput.validate(ctx.request.body())
    const roles = input.staff_roles ?? ['Teacher', 'Staff']
    respond(ctx, await withTenantDb((trx) => syncMembers(trx, roles)))
  })

  router.get('/reports/overdue', async (ctx) => {
    await authorize(ctx, 'library.reports.read')
    respond(ctx, await overdueReport())
  })

  router.get('/policy', async (ctx) => {
    await authorize(ctx, 'library.titles.read')
    respond(ctx, await librarySettings())
  })
}
