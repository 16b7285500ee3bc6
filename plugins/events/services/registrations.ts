import { createInvoice, studentIdOfUser } from '../../erp/index.js'
import {
  E_ALREADY_CANCELLED,
  E_ALREADY_REGISTERED,
  E_EVENT_FULL,
  E_EVENT_NOT_FOUND,
  E_NOT_IN_AUDIENCE,
  E_REGISTRATION_CLOSED,
} from '../errors.js'
import { checkInToken } from './check_in.js'
import { emitEvent, recordAudit, tenantDate, withTenantDb, type Trx } from '@oryne/sdk'

type Row = Record<string, any>

export type Registrant = { userId: string; actor: string; requestId?: string; privileged: boolean }

/**
 * Locks the event row: every registration, cancellation and promotion of one
 * event queues on it, so places are counted and handed out first come, first
 * served by PostgreSQL, whatever the number of processes.
 */
async function lockEvent(trx: Trx, eventId: string) {
  const event = await trx.from('events_events').where('id', eventId).forUpdate().first()
  if (!event) throw new E_EVENT_NOT_FOUND(['Event', eventId])
  return event
}

async function placesTaken(trx: Trx, eventId: string) {
  const [{ count }] = await trx
    .from('events_registrations')
    .where({ event_id: eventId, status: 'registered' })
    .count('* as count')
  return Number(count)
}

/** Why registration is closed now, or null when it is open. */
function closedBecause(event: Row, now: Date): string | null {
  if (event.status !== 'published') return `the event is ${event.status}`
  if (!event.registration_enabled) return 'the event takes no registrations'
  if (event.registration_opens_at && now < new Date(event.registration_opens_at))
    return `it opens at ${new Date(event.registration_opens_at).toISOString()}`
  const closes = event.registration_closes_at ?? event.starts_at
  if (now >= new Date(closes)) return `it closed at ${new Date(closes).toISOString()}`
  return null
}

/** The ERP student record of the user, billed for paid events (students only). */
function studentOf(trx: Trx, userId: string) {
  return studentIdOfUser(trx, userId)
}

/** Gives a place: bills a student for a paid event through the ERP fees service. */
async function place(trx: Trx, event: Row, registration: Row, now: Date) {
  let invoiceId: string | null = null
  if (Number(event.fee) > 0 && registration.student_id) {
    const invoice = await createInvoice(trx, {
      student_id: registration.student_id,
      lines: [{ description: `Event: ${event.title}`, amount: Number(event.fee) }],
      due_on: tenantDate(event.starts_at),
      source: 'events',
      note: `events registration ${registration.id}`,
    })
    invoiceId = String(invoice.id)
  }
  const [placed] = await trx
    .from('events_registrations')
    .where('id', registration.id)
    .update({ status: 'registered', placed_at: now, invoice_id: invoiceId, updated_at: now })
    .returning('*')
  return placed
}

/**
 * Hands free places to the waitlist, oldest registration first, while the
 * event has room. Runs under the event lock (the caller holds it). Emits
 * `events.registration.promoted` for each.
 */
export async function promoteWaitlist(trx: Trx, event: Row, actor: string, now = new Date()) {
  // Places of a cancelled or draft event are not handed out.
  if (event.status !== 'published' || event.capacity === null || event.capacity === undefined)
    return []
  const free = Number(event.capacity) - (await placesTaken(trx, String(event.id)))
  if (free <= 0) return []
  const next = await trx
    .from('events_registrations')
    .where({ event_id: event.id, status: 'waitlisted' })
    .orderBy('id')
    .limit(free)
  const promoted: Row[] = []
  for (const registration of next) {
    promoted.push(await place(trx, event, registration, now))
    await emitEvent(
      'events.registration.promoted',
      {
        registration_id: String(registration.id),
        event_id: String(event.id),
        user_id: registration.user_id,
      },
      actor
    )
  }
  return promoted
}

/**
 * Registers the user for an event: a place while there is one, else a place
 * in line (or ERR_EVENTS_FULL when the event keeps no waitlist). One active
 * registration per user and event (also a partial unique index).
 */
export async function register(eventId: string, who: Registrant) {
  return withTenantDb(async (trx) => {
    const now = new Date()
    const event = await lockEvent(trx, eventId)
    // Those who do not manage events never learn of drafts (as in the events list).
    if (!who.privileged && event.status === 'draft') throw new E_EVENT_NOT_FOUND(['Event', eventId])
    const visible = await trx
      .from('events_event_audience')
      .where({ event_id: eventId, user_id: who.userId })
      .first()
    if (!visible) throw new E_NOT_IN_AUDIENCE([eventId])
    const closed = closedBecause(event, now)
    if (closed) throw new E_REGISTRATION_CLOSED([eventId, closed])
    const existing = await trx
      .from('events_registrations')
      .where({ event_id: eventId, user_id: who.userId })
      .whereNot('status', 'cancelled')
      .first()
    if (existing) throw new E_ALREADY_REGISTERED([existing.id, existing.status, eventId])

    const taken = await placesTaken(trx, eventId)
    const full = event.capacity !== null && taken >= Number(event.capacity)
    if (full && !event.waitlist) throw new E_EVENT_FULL([eventId, taken, event.capacity])
    let [registration] = await trx
      .insertQuery()
      .table('events_registrations')
      .insert({
        event_id: eventId,
        user_id: who.userId,
        student_id: await studentOf(trx, who.userId),
        status: 'waitlisted',
      })
      .returning('*')
    if (!full) registration = await place(trx, event, registration, now)

    await recordAudit(trx, {
      actor: who.actor,
      action: 'events.registrations.register',
      subject: `events.registrations:${registration.id}`,
      data: { event_id: eventId, status: registration.status },
      request_id: who.requestId,
    })
    await emitEvent(
      'events.registration.created',
      {
        registration_id: String(registration.id),
        event_id: eventId,
        user_id: who.userId,
        status: registration.status,
      },
      who.actor
    )
    return present(registration, await waitlistPosition(trx, registration))
  })
}

/** 1 for the first in line; null for a registration that is not waiting. */
async function waitlistPosition(trx: Trx, registration: Row) {
  if (registration.status !== 'waitlisted') return null
  const [{ count }] = await trx
    .from('events_registrations')
    .where({ event_id: registration.event_id, status: 'waitlisted' })
    .where('id', '<=', registration.id)
    .count('* as count')
  return Number(count)
}

/** A registration as its holder sees it: with its check-in code while it holds a place. */
export function present(registration: Row, position: number | null = null) {
  return {
    ...registration,
    id: String(registration.id),
    event_id: String(registration.event_id),
    student_id: registration.student_id === null ? null : String(registration.student_id),
    invoice_id: registration.invoice_id === null ? null : String(registration.invoice_id),
    waitlist_position: position,
    check_in_token: registration.status === 'registered' ? checkInToken(registration.id) : null,
  }
}

/**
 * Cancels a registration (its holder, or staff with events.registrations.manage);
 * a place freed goes to the first in line in the same transaction.
 */
export async function cancel(registrationId: string, who: Registrant) {
  return withTenantDb(async (trx) => {
    const found = await trx.from('events_registrations').where('id', registrationId).first()
    if (!found || (!who.privileged && found.user_id !== who.userId))
      throw new E_EVENT_NOT_FOUND(['Registration', registrationId])
    const event = await lockEvent(trx, String(found.event_id))
    // Re-read under the event lock: a concurrent cancel or promotion may have changed it.
    const registration = await trx.from('events_registrations').where('id', registrationId).first()
    if (registration.status === 'cancelled') throw new E_ALREADY_CANCELLED([registrationId])
    const now = new Date()
    const [cancelled] = await trx
      .from('events_registrations')
      .where('id', registrationId)
      .update({ status: 'cancelled', cancelled_at: now, updated_at: now })
      .returning('*')
    const promoted =
      registration.status === 'registered' ? await promoteWaitlist(trx, event, who.actor, now) : []
    await recordAudit(trx, {
      actor: who.actor,
      action: 'events.registrations.cancel',
      subject: `events.registrations:${registrationId}`,
      data: {
        before: { status: registration.status },
        after: { status: 'cancelled' },
        promoted: promoted.map((row) => String(row.id)),
      },
      request_id: who.requestId,
    })
    await emitEvent(
      'events.registration.cancelled',
      {
        registration_id: registrationId,
        event_id: String(event.id),
        user_id: registration.user_id,
      },
      who.actor
    )
    return { ...present(cancelled), promoted: promoted.map((row) => String(row.id)) }
  })
}
