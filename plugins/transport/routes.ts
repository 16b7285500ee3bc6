import { E_TRANSPORT_NOT_FOUND } from './errors.js'
import { assign, changeAssignment, endAssignment } from './services/assignments.js'
import { alight, board, closeTrip } from './services/trips.js'
import { generateTermFees } from './services/fees.js'
import { authorize, respond, vine, type HttpContext, type Router } from '@oryne/sdk'

/** A record id as the API returns them: a string of digits. */
const id = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{1,18}$/)
const date = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/)
const reason = () => vine.string().trim().maxLength(2000).nullable().optional()
const instant = () =>
  vine
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/)
    .transform((value) => new Date(value))

const assignInput = vine.compile(
  vine.object({
    stop_id: id(),
    vehicle_id: id(),
    student_id: id().optional(),
    user_id: vine.string().trim().uuid().optional(),
    starts_on: date().optional(),
  })
)
const changeInput = vine.compile(
  vine.object({ stop_id: id().optional(), vehicle_id: id().optional(), reason: reason() })
)
const endInput = vine.compile(vine.object({ ended_on: date().optional(), reason: reason() }))
const markInput = vine.compile(
  vine.object({ student_id: id(), stop_id: id().optional(), at: instant().optional() })
)
const feesInput = vine.compile(vine.object({ term_id: id(), due_on: date().optional() }))

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
function param(ctx: HttpContext, what: string): string {
  const value = String(ctx.params.id)
  if (!/^\d{1,18}$/.test(value)) throw new E_TRANSPORT_NOT_FOUND([what, value.slice(0, 40)])
  return value
}

/** The transport workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function transportRoutes(router: Router) {
  router.post('/assignments', async (ctx) => {
    const principal = await authorize(ctx, 'transport.assignments.manage')
    const input = await assignInput.validate(ctx.request.body())
    respond(ctx, await assign(input, principal), { status: 201 })
  })

  router.post('/assignments/:id/change', async (ctx) => {
    const principal = await authorize(ctx, 'transport.assignments.manage')
    const input = await changeInput.validate(ctx.request.body())
    respond(ctx, await changeAssignment(param(ctx, 'Assignment'), input, principal))
  })

  router.post('/assignments/:id/end', async (ctx) => {
    const principal = await authorize(ctx, 'transport.assignments.manage')
    const input = await endInput.validate(ctx.request.body())
    respond(ctx, await endAssignment(param(ctx, 'Assignment'), input, principal))
  })

  router.post('/trips/:id/board', async (ctx) => {
    const principal = await authorize(ctx, 'transport.trips.mark')
    const input = await markInput.validate(ctx.request.body())
    respond(ctx, await board(param(ctx, 'Trip'), input, principal), { status: 201 })
  })

  router.post('/trips/:id/alight', async (ctx) => {
    const principal = await authorize(ctx, 'transport.trips.mark')
    const input = await markInput.validate(ctx.request.body())
    respond(ctx, await alight(param(ctx, 'Trip'), input, principal))
  })

  router.post('/trips/:id/close', async (ctx) => {
    const principal = await authorize(ctx, 'transport.trips.mark')
    respond(ctx, await closeTrip(param(ctx, 'Trip'), principal))
  })

  router.post('/fees/generate', async (ctx) => {
    const principal = await authorize(ctx, 'transport.fees.generate')
    const input = await feesInput.validate(ctx.request.body())
    respond(ctx, await generateTermFees(input, principal))
  })
}
