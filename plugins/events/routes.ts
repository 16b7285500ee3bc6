import { E_EVENT_NOT_FOUND } from './errors.js'
import { cancel, register, type Registrant } from './services/registrations.js'
import { ticket } from './services/ticket.js'
import { checkIn } from './services/check_in.js'
import { attendanceReport } from './services/report.js'
import { renderFeed, revokeFeedToken, rotateFeedToken } from './services/calendar_feed.js'
import {
  actorOf,
  authorize,
  E_FORBIDDEN,
  respond,
  vine,
  type HttpContext,
  type Principal,
  type Router,
} from '@oryne/sdk'

const checkInInput = vine.compile(
  vine.object({ token: vine.string().trim().minLength(1).maxLength(200) })
)

/** A digits-only route parameter, so a junk id is a 404 and never reaches SQL. */
function param(ctx: HttpContext, what: string): string {
  const value = String(ctx.params.id)
  if (!/^\d{1,18}$/.test(value)) throw new E_EVENT_NOT_FOUND([what, value.slice(0, 40)])
  return value
}

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
  router.post('/events/:id/register', async (ctx) => {
    const principal = await authorize(ctx, 'events.registrations.register')
    respond(ctx, await register(param(ctx, 'Event'), registrant(ctx, principal)), {
      status: 201,
    })
  })

  router.post('/registrations/:id/cancel', async (ctx) => {
    const principal = await authorize(ctx, 'events.registrations.register')
    respond(ctx, await cancel(param(ctx, 'Registration'), registrant(ctx, principal)))
  })

  router.get('/registrations/:id/ticket', async (ctx) => {
    const principal = await authorize(ctx, 'events.registrations.register')
    respond(ctx, await ticket(param(ctx, 'Registration'), registrant(ctx, principal)))
  })

  router.post('/check-in', async (ctx) => {
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

  router.get('/events/:id/attendance', async (ctx) => {
    await authorize(ctx, 'events.reports.read')
    respond(ctx, await attendanceReport(param(ctx, 'Event')))
  })

  router.post('/calendar/token', async (ctx) => {
    const principal = await authorize(ctx, 'events.calendar.subscribe')
    const { userId } = registrant(ctx, principal)
    const token = await rotateFeedToken(userId)
    respond(ctx, { token, path: `/api/v1/events/calendar/${token}.ics` }, { status: 201 })
  })

  router.delete('/calendar/token', async (ctx) => {
    const principal = await authorize(ctx, 'events.calendar.subscribe')
    respond(ctx, { revoked: await revokeFeedToken(registrant(ctx, principal).userId) })
  })

  /* The feed itself: the secret address is the credential (calendar apps send no bearer token). */
  router.get('/calendar/:token', async (ctx) => {
    const token = String(ctx.params.token).replace(/\.ics$/, '')
    const body = await renderFeed(token)
    ctx.response.header('Content-Type', 'text/calendar; charset=utf-8')
    ctx.response.header('Cache-Control', 'private, max-age=300')
    ctx.response.header('X-Content-Type-Options', 'nosniff')
    ctx.response.send(body)
  })
}
