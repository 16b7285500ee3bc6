import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import { calendarEntries, holidaysBetween } from '../plugins/calendar.js'
import { E_BAD_REQUEST } from '../errors.js'
import { respond } from '../http/envelope.js'
import { calendarQuery } from './validators.js'

/** Longest window one request may ask for: a month view with the days around it, or an agenda. */
export const CALENDAR_MAX_DAYS = 62

/**
 * GET /api/v1/app/calendar: the signed-in user's calendar between two days of
 * the tenant (inclusive): what every enabled plugin puts on it for them
 * (timetable, events, due dates, pick-ups; the manifests' `calendar`) and the
 * school's holidays. Each provider decides what this user may see.
 */
export default class AppCalendarController {
  async show(ctx: HttpContext) {
    const { from, to } = await calendarQuery.validate(ctx.request.qs())
    const zone = ctx.tenant.settings.time_zone || 'UTC'
    const start = DateTime.fromISO(from, { zone })
    const end = DateTime.fromISO(to, { zone }).plus({ days: 1 })
    if (!start.isValid || !end.isValid || end <= start)
      throw new E_BAD_REQUEST(['from and to must be days, from not after to'])
    if (end.diff(start, 'days').days > CALENDAR_MAX_DAYS)
      throw new E_BAD_REQUEST([`ask for at most ${CALENDAR_MAX_DAYS} days at a time`])
    const user = ctx.auth.use('tenant').getUserOrFail()
    const entries = await calendarEntries({
      userId: user.id,
      from: start.toUTC().toISO()!,
      to: end.toUTC().toISO()!,
    })
    respond(ctx, { from, to, time_zone: zone, entries, holidays: await holidaysBetween(from, to) })
  }
}
