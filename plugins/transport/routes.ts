import {
  E_ALREADY_ALIGHTED,
  E_ALREADY_ASSIGNED,
  E_ALREADY_BOARDED,
  E_INVALID_TRANSITION,
  E_NOT_ASSIGNED,
  E_NOT_BOARDED,
  E_NOTHING_TO_CHANGE,
  E_TERM_NOT_FOUND,
  E_TRANSPORT_NOT_FOUND,
  E_TRIP_CLOSED,
  E_VEHICLE_FULL,
  E_VEHICLE_NOT_ON_ROUTE,
  E_VEHICLE_UNAVAILABLE,
} from './errors.js'
import { assign, changeAssignment, endAssignment } from './services/assignments.js'
import { alight, board, closeTrip } from './services/trips.js'
import { generateTermFees } from './services/fees.js'
import { authorize, defineIdParam, respond, storedRow, vine, vineId, type Router } from '@oryne/sdk'

const stored = storedRow
const assignment = stored('route_id', 'stop_id', 'vehicle_id', 'status')
const tripMark = stored('trip_id', 'student_id', 'boarded_stop_id', 'boarded_at')
/** What seating a passenger on a vehicle can refuse (assign, change). */
const SEAT_ERRORS = [E_VEHICLE_UNAVAILABLE, E_VEHICLE_NOT_ON_ROUTE, E_VEHICLE_FULL]
/** What marking a student on a trip can refuse (board, alight). */
const MARK_ERRORS = [E_TRANSPORT_NOT_FOUND, E_TRIP_CLOSED, E_NOT_ASSIGNED]

const id = vineId
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
const param = defineIdParam(E_TRANSPORT_NOT_FOUND)

/** The transport workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function transportRoutes(router: Router) {
  router
    .post('/assignments', async (ctx) => {
      const principal = await authorize(ctx, 'transport.assignments.manage')
      const input = await assignInput.validate(ctx.request.body())
      const made = await assign(input, principal)
      respond(ctx, made, { status: 201, location: `/api/v1/transport/assignments/${made.id}` })
    })
    .describe({
      summary: 'Assign a passenger to a stop and a vehicle',
      description:
        "Exactly one passenger: student_id or user_id (staff). The vehicle must serve the stop's route, be active and have a free seat; a passenger holds one assignment at a time. Answers the assignment, its address in Location.",
      body: assignInput,
      status: 201,
      location: '/api/v1/transport/assignments/{id}',
      data: assignment,
      errors: [...SEAT_ERRORS, E_ALREADY_ASSIGNED],
    })

  router
    .post('/assignments/:id/change', async (ctx) => {
      const principal = await authorize(ctx, 'transport.assignments.manage')
      const input = await changeInput.validate(ctx.request.body())
      respond(ctx, await changeAssignment(param(ctx, 'Assignment'), input, principal))
    })
    .describe({
      summary: 'Move a passenger to another stop or vehicle',
      description: 'Only an active assignment; the change is recorded (assignment_changes).',
      body: changeInput,
      data: assignment,
      errors: [...SEAT_ERRORS, E_TRANSPORT_NOT_FOUND, E_INVALID_TRANSITION, E_NOTHING_TO_CHANGE],
    })

  router
    .post('/assignments/:id/end', async (ctx) => {
      const principal = await authorize(ctx, 'transport.assignments.manage')
      const input = await endInput.validate(ctx.request.body())
      respond(ctx, await endAssignment(param(ctx, 'Assignment'), input, principal))
    })
    .describe({
      summary: 'End an assignment: the seat is free at once',
      body: endInput,
      data: assignment,
      errors: [E_TRANSPORT_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/trips/:id/board', async (ctx) => {
      const principal = await authorize(ctx, 'transport.trips.mark')
      const input = await markInput.validate(ctx.request.body())
      const mark = await board(param(ctx, 'Trip'), input, principal)
      respond(ctx, mark, { status: 201, location: `/api/v1/transport/trip_marks/${mark.id}` })
    })
    .describe({
      summary: 'Mark a student boarding a trip',
      description:
        "Only on an open trip, for a student assigned to its route; the stop defaults to the student's. Answers the trip mark, its address in Location.",
      body: markInput,
      status: 201,
      location: '/api/v1/transport/trip_marks/{id}',
      data: tripMark,
      errors: [...MARK_ERRORS, E_ALREADY_BOARDED],
    })

  router
    .post('/trips/:id/alight', async (ctx) => {
      const principal = await authorize(ctx, 'transport.trips.mark')
      const input = await markInput.validate(ctx.request.body())
      respond(ctx, await alight(param(ctx, 'Trip'), input, principal))
    })
    .describe({
      summary: 'Mark a student alighting from a trip',
      description: 'Only a student who boarded it and has not alighted yet.',
      body: markInput,
      data: tripMark,
      errors: [...MARK_ERRORS, E_NOT_BOARDED, E_ALREADY_ALIGHTED],
    })

  router
    .post('/trips/:id/close', async (ctx) => {
      const principal = await authorize(ctx, 'transport.trips.mark')
      respond(ctx, await closeTrip(param(ctx, 'Trip'), principal))
    })
    .describe({
      summary: 'Close a trip',
      description: 'Only an open trip; still_aboard lists who boarded and never alighted.',
      data: {
        type: 'object',
        required: ['id', 'status', 'still_aboard'],
        properties: {
          id: {},
          status: {},
          still_aboard: { type: 'array', items: { type: 'string' } },
        },
      },
      errors: [E_TRANSPORT_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/fees/generate', async (ctx) => {
      const principal = await authorize(ctx, 'transport.fees.generate')
      const input = await feesInput.validate(ctx.request.body())
      respond(ctx, await generateTermFees(input, principal))
    })
    .describe({
      summary: "Bill the term's transport fares to assigned students",
      description:
        'Bills, through the ERP, each student with an active assignment on a route with a fare; a student already billed for the term is left out, so running it again bills only the newcomers (200, not 201: it may create nothing).',
      body: feesInput,
      data: {
        type: 'object',
        required: ['term_id', 'due_on', 'staff_not_billed'],
        properties: {
          term_id: {},
          staff_not_billed: {},
          due_on: { type: 'string', format: 'date' },
        },
      },
      errors: [E_TERM_NOT_FOUND],
    })
}
