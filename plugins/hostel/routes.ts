import {
  E_ALREADY_ALLOCATED,
  E_HOSTEL_NOT_FOUND,
  E_HOSTEL_TYPE_MISMATCH,
  E_INVALID_TRANSITION,
  E_ROOM_FULL,
  E_ROOM_UNAVAILABLE,
  E_SAME_ROOM,
  E_TERM_NOT_FOUND,
} from './errors.js'
import { allocate, transfer, vacate } from './services/allocations.js'
import { approveRequest, rejectRequest } from './services/requests.js'
import { decideLeavePass, markReturned } from './services/leave_passes.js'
import { generateTermFees } from './services/fees.js'
import { occupancyReport } from './services/reports.js'
import { authorize, defineIdParam, respond, storedRow, vine, vineId, type Router } from '@oryne/sdk'

const stored = storedRow
const allocation = stored('room_id', 'hostel_id', 'status', 'starts_on')
const leavePass = stored('student_id', 'status')
/** What allocating a bed can refuse (allocation, transfer, approved request). */
const BED_ERRORS = [E_HOSTEL_NOT_FOUND, E_ROOM_UNAVAILABLE, E_HOSTEL_TYPE_MISMATCH, E_ROOM_FULL]

const id = vineId
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
const param = defineIdParam(E_HOSTEL_NOT_FOUND)

/** The hostel workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function hostelRoutes(router: Router) {
  router
    .post('/allocations', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.allocations.manage')
      const input = await allocateInput.validate(ctx.request.body())
      const made = await allocate(input, principal)
      respond(ctx, made, { status: 201, location: `/api/v1/hostel/allocations/${made.id}` })
    })
    .describe({
      summary: 'Allocate a bed to a resident',
      description:
        'Exactly one resident: student_id or user_id (staff). The room must be active, of a hostel of the right type, with a free bed; a resident holds one bed at a time. Answers the allocation, its address in Location.',
      body: allocateInput,
      status: 201,
      location: '/api/v1/hostel/allocations/{id}',
      data: allocation,
      errors: [...BED_ERRORS, E_ALREADY_ALLOCATED],
    })

  router
    .post('/allocations/:id/vacate', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.allocations.manage')
      const input = await vacateInput.validate(ctx.request.body())
      respond(ctx, await vacate(param(ctx, 'Allocation'), input, principal))
    })
    .describe({
      summary: 'End a stay: the bed is free at once',
      body: vacateInput,
      data: allocation,
      errors: [E_HOSTEL_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/allocations/:id/transfer', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.allocations.manage')
      const input = await transferInput.validate(ctx.request.body())
      const moved = await transfer(param(ctx, 'Allocation'), input, principal)
      respond(ctx, moved, {
        status: 201,
        location: `/api/v1/hostel/allocations/${moved.allocation.id}`,
      })
    })
    .describe({
      summary: 'Move a resident to another room',
      description:
        'The allocation ends as transferred and a new one continues it (its address in Location); the transfer is recorded.',
      body: transferInput,
      status: 201,
      location: '/api/v1/hostel/allocations/{id}',
      data: {
        type: 'object',
        required: ['allocation', 'transfer'],
        properties: {
          allocation,
          transfer: stored('from_allocation_id', 'to_allocation_id'),
        },
      },
      errors: [...BED_ERRORS, E_INVALID_TRANSITION, E_SAME_ROOM],
    })

  router
    .post('/allocation_requests/:id/approve', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.allocations.manage')
      const input = await approveInput.validate(ctx.request.body())
      const approved = await approveRequest(param(ctx, 'Allocation request'), input, principal)
      respond(ctx, approved, {
        status: 201,
        location: `/api/v1/hostel/allocations/${approved.allocation.id}`,
      })
    })
    .describe({
      summary: 'Approve an allocation request with a bed',
      description:
        "Only a pending request; allocates a bed in room_id as POST /allocations does (the new allocation's address in Location).",
      body: approveInput,
      status: 201,
      location: '/api/v1/hostel/allocations/{id}',
      data: {
        type: 'object',
        required: ['request', 'allocation'],
        properties: { request: stored('status', 'allocation_id'), allocation },
      },
      errors: [...BED_ERRORS, E_INVALID_TRANSITION, E_ALREADY_ALLOCATED],
    })

  router
    .post('/allocation_requests/:id/reject', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.allocations.manage')
      const input = await decisionInput.validate(ctx.request.body())
      respond(ctx, await rejectRequest(param(ctx, 'Allocation request'), input, principal))
    })
    .describe({
      summary: 'Reject an allocation request',
      description: 'Only a pending request.',
      body: decisionInput,
      data: stored('status'),
      errors: [E_HOSTEL_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/leave_passes/:id/approve', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.leave_passes.decide')
      respond(ctx, await decideLeavePass(param(ctx, 'Leave pass'), true, principal))
    })
    .describe({
      summary: 'Approve a leave pass',
      description: 'Only a pending pass.',
      data: leavePass,
      errors: [E_HOSTEL_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/leave_passes/:id/reject', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.leave_passes.decide')
      respond(ctx, await decideLeavePass(param(ctx, 'Leave pass'), false, principal))
    })
    .describe({
      summary: 'Reject a leave pass',
      description: 'Only a pending pass.',
      data: leavePass,
      errors: [E_HOSTEL_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/leave_passes/:id/return', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.leave_passes.decide')
      const input = await returnInput.validate(ctx.request.body())
      respond(ctx, await markReturned(param(ctx, 'Leave pass'), input, principal))
    })
    .describe({
      summary: 'Record the return of a resident on leave',
      description: 'Only an approved pass; returned_at defaults to now.',
      body: returnInput,
      data: leavePass,
      errors: [E_HOSTEL_NOT_FOUND, E_INVALID_TRANSITION],
    })

  router
    .post('/fees/generate', async (ctx) => {
      const principal = await authorize(ctx, 'hostel.fees.generate')
      const input = await feesInput.validate(ctx.request.body())
      respond(ctx, await generateTermFees(input, principal))
    })
    .describe({
      summary: "Bill the term's hostel rent to resident students",
      description:
        'Bills, through the ERP, each student with an active stay in a room with rent; a student already billed for the term is left out, so running it again bills only the newcomers (200, not 201: it may create nothing).',
      body: feesInput,
      data: {
        type: 'object',
        required: ['term_id', 'term_starts_on', 'due_on', 'staff_not_billed'],
        properties: {
          term_id: {},
          staff_not_billed: {},
          term_starts_on: { type: 'string', format: 'date' },
          due_on: { type: 'string', format: 'date' },
        },
      },
      errors: [E_TERM_NOT_FOUND],
    })

  router
    .get('/reports/occupancy', async (ctx) => {
      await authorize(ctx, 'hostel.reports.read')
      const query = await occupancyQuery.validate(ctx.request.qs())
      respond(ctx, await occupancyReport(query))
    })
    .describe({
      summary: 'Beds and occupancy per hostel',
      description: 'With hostel_id, the rooms of that hostel too.',
      query: occupancyQuery,
      data: {
        type: 'object',
        required: ['hostels', 'totals'],
        properties: {
          hostels: { type: 'array', items: { type: 'object' } },
          totals: {
            type: 'object',
            required: ['beds', 'occupied', 'free'],
            properties: {
              beds: { type: 'integer' },
              occupied: { type: 'integer' },
              free: { type: 'integer' },
            },
          },
        },
      },
    })
}
