import { E_HOSTEL_NOT_FOUND } from './errors.js'
import { allocate, transfer, vacate } from './services/allocations.js'
import { approveRequest, rejectRequest } from './services/requests.js'
import { decideLeavePass, markReturned } from './services/leave_passes.js'
import { generateTermFees } from './services/fees.js'
import { occupancyReport } from './services/reports.js'
import { authorize, respond, vine, type HttpContext, type Router } from '@oryne/sdk'

/** A record id as the API returns them: a string of digits. */
const id = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{1,18}$/)
const uuid = () => vine.string().trim().uuid()
const date = () => vine.date({ formats: ['YYYY-MM-DD'] }).transform((d) => isoDay(d))
const note = () => vine.string().trim().maxLength(2000).nullable().optional()

function isoDay(d: Date) {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

const allocateInput = vine.compile(
  vine.object({
    room_id: id(),
    student_id: id().optional(),
    user_id: uuid().optional(),
    starts_on: date().optional(),
  })
)
const vacateInput = vine.compile(vine.object({ ended_on: date().optional() }))
const transferInput = vine.compile(
  vine.object({ room_id: id(), reason: vine.string().trim().maxLength(2000).optional() })
)
const approveInput = vine.compile(
  vine.object({ room_id: id(), starts_on: date().optional(), note: note() })
)
const decisionInput = vine.compile(vine.object({ note: note() }))
const returnInput = vine.compile(
  vine.object({
    returned_at: vine
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/)
      .transform((value) => new Date(value))
      .optional(),
  })
)
const feesInput = vine.compile(vine.object({ term_id: id(), due_on: date().optional() }))
const occupancyQuery = vine.compile(vine.object({ hostel_id: id().optional() }))

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
function param(ctx: HttpContext, what: string): string {
  const value = String(ctx.params.id)
  if (!/^\d{1,18}$/.test(value)) throw new E_HOSTEL_NOT_FOUND([what, value.slice(0, 40)])
  return value
}

/** The hostel workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function hostelRoutes(router: Router) {
  router.post('/allocations', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.allocations.manage')
    const input = await allocateInput.validate(ctx.request.body())
    respond(ctx, await allocate(input, principal), { status: 201 })
  })

  router.post('/allocations/:id/vacate', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.allocations.manage')
    const input = await vacateInput.validate(ctx.request.body())
    respond(ctx, await vacate(param(ctx, 'Allocation'), input, principal))
  })

  router.post('/allocations/:id/transfer', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.allocations.manage')
    const input = await transferInput.validate(ctx.request.body())
    respond(ctx, await transfer(param(ctx, 'Allocation'), input, principal), { status: 201 })
  })

  router.post('/allocation_requests/:id/approve', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.allocations.manage')
    const input = await approveInput.validate(ctx.request.body())
    respond(ctx, await approveRequest(param(ctx, 'Allocation request'), input, principal))
  })

  router.post('/allocation_requests/:id/reject', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.allocations.manage')
    const input = await decisionInput.validate(ctx.request.body())
    respond(ctx, await rejectRequest(param(ctx, 'Allocation request'), input, principal))
  })

  router.post('/leave_passes/:id/approve', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.leave_passes.decide')
    respond(ctx, await decideLeavePass(param(ctx, 'Leave pass'), true, principal))
  })

  router.post('/leave_passes/:id/reject', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.leave_passes.decide')
    respond(ctx, await decideLeavePass(param(ctx, 'Leave pass'), false, principal))
  })

  router.post('/leave_passes/:id/return', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.leave_passes.decide')
    const input = await returnInput.validate(ctx.request.body())
    respond(ctx, await markReturned(param(ctx, 'Leave pass'), input, principal))
  })

  router.post('/fees/generate', async (ctx) => {
    const principal = await authorize(ctx, 'hostel.fees.generate')
    const input = await feesInput.validate(ctx.request.body())
    respond(ctx, await generateTermFees(input, principal))
  })

  router.get('/reports/occupancy', async (ctx) => {
    await authorize(ctx, 'hostel.reports.read')
    const query = await occupancyQuery.validate(ctx.request.qs())
    respond(ctx, await occupancyReport(query))
  })
}
