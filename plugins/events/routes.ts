import {
  E_ALREADY_CANCELLED,
  E_ALREADY_CHECKED_IN,
  E_ALREADY_REGISTERED,
  E_CALENDAR_NOT_FOUND,
  E_CHECK_IN_TOKEN_INVALID,
  E_EVENT_FULL,
  E_EVENT_NOT_FOUND,
  E_NOT_CHECKABLE,
  E_NOT_IN_AUDIENCE,
  E_REGISTRATION_CLOSED,
} from './errors.js'
import { cancel, register, type Registrant } from './services/registrations.js'
import { ticket } from './services/ticket.js'
import { checkIn } from './services/check_in.js'
import { attendanceReport } from './services/report.js'
import { eventPlaces } from './services/places.js'
import { renderFeed, revokeFeedToken, rotateFeedToken } from './services/calendar_feed.js'
import {
  actorOf,
  authorize,
  defineIdParam,
  E_FORBIDDEN,
  respond,
  vine,
  type HttpContext,
  type OperationDoc,
  type Principal,
  type Router,
} from '@oryne/sdk'

type Schema = NonNullable<OperationDoc['data']>

/** A registration as the API shows it (services/registrations.ts, present). */
const registration: Schema = {
  type: 'object',
  required: ['id', 'event_id', 'user_id', 'status', 'waitlist_position', 'check_in_token'],
  properties: {
    user_id: {},
    id: { type: 'string' },
    event_id: { type: 'string' },
    status: { type: 'string' },
    waitlist_position: { type: ['integer', 'null'] },
    check_in_token: { type: ['string', 'null'] },
  },
}

const checkInInput = vine.compile(
  vine.object({ token: vine.string().trim().minLength(1).maxLength(200) })
)

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
const param = defineIdParam(E_EVENT_NOT_FOUND)

/** Registrations belong to users: API keys and the platform act through staff routes only. */
function registrant(ctx: HttpContext, principal: Principal): Registrant {
  if (principal.kind !== 'user')
    throw new E_FORBIDDEN(['events.registrations.register (a signed-in user)'])
  return {
    userId: principal.id,
    actor: actorOf(principal),
    requestId: ctx.request.id() ?? undefined,
    privileged: principal.can('events.registrations.manage'),
  }
}

/** The events workflows that are more than CRUD (the resources get their CRUD routes from the host). */
export function eventsRoutes(router: Router) {
  router
    .post('/events/:id/register', async (ctx) => {
      const principal = await authorize(ctx, 'events.registrations.register')
      const made = await register(param(ctx, 'Event'), registrant(ctx, principal))
      respond(ctx, made, { status: 201, location: `/api/v1/events/registrations/${made.id}` })
    })
    .describe({
      summary: 'Register for an event',
      description:
        'For a signed-in user of the audience, while registration is open; a full event with a waitlist takes a waitlisted place. Answers the registration, its address in Location.',
      status: 201,
      location: '/api/v1/events/registrations/{id}',
      data: registration,
      errors: [
        E_EVENT_NOT_FOUND,
        E_NOT_IN_AUDIENCE,
        E_REGISTRATION_CLOSED,
        E_ALREADY_REGISTERED,
        E_EVENT_FULL,
      ],
    })

  router
    .post('/registrations/:id/cancel', async (ctx) => {
      const principal = await authorize(ctx, 'events.registrations.register')
      respond(ctx, await cancel(param(ctx, 'Registration'), registrant(ctx, principal)))
    })
    .describe({
      summary: 'Cancel a registration',
      description:
        'Its holder, or staff who manage registrations; a place freed goes to the first in line.',
      data: registration,
      errors: [E_EVENT_NOT_FOUND, E_ALREADY_CANCELLED],
    })

  router
    .get('/registrations/:id/ticket', async (ctx) => {
      const principal = await authorize(ctx, 'events.registrations.register')
      respond(ctx, await ticket(param(ctx, 'Registration'), registrant(ctx, principal)))
    })
    .describe({
      summary: 'A registration with its check-in code',
      description:
        'For its holder (or staff who manage registrations); check_in_token is the QR code.',
      data: registration,
      errors: [E_EVENT_NOT_FOUND],
    })

  router
    .post('/check-in', async (ctx) => {
      const principal = await authorize(ctx, 'events.registrations.check_in')
      const { token } = await checkInInput.validate(ctx.request.body())
      respond(
        ctx,
        await checkIn(token, {
          userId: principal.kind === 'user' ? principal.id : null,
          actor: actorOf(principal),
          requestId: ctx.request.id() ?? undefined,
        })
      )
    })
    .describe({
      summary: 'Check a registration in by its QR code',
      body: checkInInput,
      data: {
        type: 'object',
        required: ['id', 'event_id', 'user_id', 'checked_in_at'],
        properties: {
          id: {},
          event_id: {},
          user_id: {},
          checked_in_at: { type: 'string', format: 'date-time' },
        },
      },
      errors: [E_CHECK_IN_TOKEN_INVALID, E_ALREADY_CHECKED_IN, E_NOT_CHECKABLE],
    })

  router
    .get('/events/:id/places', async (ctx) => {
      const principal = await authorize(ctx, 'events.events.read')
      respond(ctx, await eventPlaces(param(ctx, 'Event'), principal))
    })
    .describe({
      summary: 'How full an event is: places taken, waiting, free',
      description:
        'For the events the caller may read (students and parents: published events of their audience). free and capacity are null when places are unlimited.',
      data: {
        type: 'object',
        required: ['event_id', 'capacity', 'waitlist', 'taken', 'waiting', 'free'],
        properties: {
          event_id: { type: 'string' },
          capacity: { type: ['integer', 'null'] },
          waitlist: { type: 'boolean' },
          taken: { type: 'integer' },
          waiting: { type: 'integer' },
          free: { type: ['integer', 'null'] },
        },
      },
      errors: [E_EVENT_NOT_FOUND],
    })

  router
    .get('/events/:id/attendance', async (ctx) => {
      await authorize(ctx, 'events.reports.read')
      respond(ctx, await attendanceReport(param(ctx, 'Event')))
    })
    .describe({
      summary: 'Registrations and check-ins of an event',
      data: {
        type: 'object',
        required: ['event_id', 'registered', 'checked_in', 'no_show', 'registrations'],
        properties: {
          event_id: {},
          registered: { type: 'integer' },
          checked_in: { type: 'integer' },
          no_show: { type: 'integer' },
          registrations: { type: 'array', items: { type: 'object' } },
        },
      },
      errors: [E_EVENT_NOT_FOUND],
    })

  router
    .post('/calendar/token', async (ctx) => {
      const principal = await authorize(ctx, 'events.calendar.subscribe')
      const { userId } = registrant(ctx, principal)
      const token = await rotateFeedToken(userId)
      const path = `/api/v1/events/calendar/${token}.ics`
      respond(ctx, { token, path }, { status: 201, location: path })
    })
    .describe({
      summary: 'A new secret address for your calendar feed',
      description:
        'Replaces the previous address (which stops working). The feed address is in path and in Location.',
      status: 201,
      location: '/api/v1/events/calendar/{token}.ics',
      data: {
        type: 'object',
        required: ['token', 'path'],
        properties: { token: { type: 'string' }, path: { type: 'string' } },
      },
    })

  router
    .delete('/calendar/token', async (ctx) => {
      const principal = await authorize(ctx, 'events.calendar.subscribe')
      respond(ctx, { revoked: await revokeFeedToken(registrant(ctx, principal).userId) })
    })
    .describe({
      summary: 'Revoke the address of your calendar feed',
      data: {
        type: 'object',
        required: ['revoked'],
        properties: { revoked: { type: 'boolean' } },
      },
    })

  /* The feed itself: the secret address is the credential (calendar apps send no bearer token). */
  router
    .get('/calendar/:token', async (ctx) => {
      const token = String(ctx.params.token).replace(/\.ics$/, '')
      const body = await renderFeed(token)
      ctx.response.header('Content-Type', 'text/calendar; charset=utf-8')
      ctx.response.header('Cache-Control', 'private, max-age=300')
      ctx.response.header('X-Content-Type-Options', 'nosniff')
      ctx.response.send(body)
    })
    .describe({
      summary: 'Your calendar feed (iCalendar)',
      description:
        'The secret address is the credential: calendar apps send no token (docs/plugins/events.md).',
      security: [],
      raw: { contentType: 'text/calendar', schema: { type: 'string' } },
      errors: [E_CALENDAR_NOT_FOUND],
    })
}
