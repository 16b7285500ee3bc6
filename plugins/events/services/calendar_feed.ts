import { createHash, randomBytes } from 'node:crypto'
import ical, { ICalCalendarMethod } from 'ical-generator'
import { DateTime } from 'luxon'
import { E_CALENDAR_NOT_FOUND } from '../errors.js'
import { eventsSettings } from '../settings.js'
import { calendarEntries, readTenantDb, tenantContext, withTenantDb } from '@oryne/sdk'

const DAY = 86_400_000

/*
 * A user's iCalendar feed lives at a secret address (calendar apps send no
 * bearer token). Only the SHA-256 of the token is stored, in the tenant's own
 * schema: a token opens one user's feed at one school, and rotating or revoking
 * it closes the old address at once.
 */

const digest = (token: string) => createHash('sha256').update(token).digest('hex')

/** A new feed token for the user (the previous one stops working); shown once. */
export async function rotateFeedToken(userId: string) {
  const token = randomBytes(32).toString('base64url')
  await withTenantDb((trx) =>
    trx
      .insertQuery()
      .table('events_calendar_tokens')
      .insert({ user_id: userId, token_hash: digest(token), created_at: new Date() })
      .onConflict('user_id')
      .merge(['token_hash', 'created_at'])
  )
  return token
}

/** Closes the user's feed address; true when there was one. */
export async function revokeFeedToken(userId: string) {
  const deleted = await withTenantDb((trx) =>
    trx.from('events_calendar_tokens').where('user_id', userId).delete()
  )
  return Number(deleted) > 0
}

/** The owner of a feed token of the current tenant, or ERR_EVENTS_CALENDAR_NOT_FOUND. */
async function feedOwner(token: string) {
  if (!/^[\w-]{43}$/.test(token)) throw new E_CALENDAR_NOT_FOUND()
  const row = await readTenantDb((client, table) =>
    client
      .from(table('events_calendar_tokens', 't'))
      .join(table('users', 'u'), 'u.id', 't.user_id')
      .where('t.token_hash', digest(token))
      .whereNot('u.status', 'disabled')
      .select('u.id', 'u.name')
      .first()
  )
  if (!row) throw new E_CALENDAR_NOT_FOUND()
  return row as { id: string; name: string }
}

/**
 * The tenant-local day of an all-day entry, as UTC midnight of that date (the
 * iCalendar DATE value is written from UTC fields). Providers give either a
 * date (YYYY-MM-DD) or an instant.
 */
function localDay(value: string, zone: string) {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? value
    : DateTime.fromISO(value, { zone: 'utc' }).setZone(zone).toISODate()!
  return new Date(`${date}T00:00:00Z`)
}

/**
 * The feed: the owner's entries from every plugin the tenant enabled (core
 * merges the manifests' `calendar` providers), from `feed_past_days` ago to
 * `feed_future_days` ahead, as an iCalendar document.
 */
export async function renderFeed(token: string, now = new Date()) {
  const owner = await feedOwner(token)
  const settings = await eventsSettings()
  const tenant = tenantContext.require()
  const entries = await calendarEntries({
    userId: owner.id,
    from: new Date(now.getTime() - settings.feed_past_days * DAY).toISOString(),
    to: new Date(now.getTime() + settings.feed_future_days * DAY).toISOString(),
  })
  const calendar = ical({
    name: `${tenant.name}: ${owner.name}`,
    prodId: { company: 'Oryne', product: 'events', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: 3600,
  })
  const zone = tenant.settings.time_zone || 'UTC'
  for (const entry of entries) {
    const start = entry.all_day ? localDay(entry.starts_at, zone) : new Date(entry.starts_at)
    let end = entry.all_day ? localDay(entry.ends_at ?? entry.starts_at, zone) : start
    if (!entry.all_day && entry.ends_at) end = new Date(entry.ends_at)
    // An all-day entry ends (exclusive) the day after it starts at the earliest.
    if (entry.all_day && end <= start) end = new Date(start.getTime() + DAY)
    calendar.createEvent({
      id: `${entry.uid}@${tenant.slug}.oryne`,
      start,
      end,
      allDay: entry.all_day ?? false,
      summary: entry.title,
      description: entry.description ?? undefined,
      categories: [{ name: entry.kind }],
      stamp: now,
    })
  }
  return calendar.toString()
}
