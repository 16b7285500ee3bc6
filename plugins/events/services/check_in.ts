import { createHmac, timingSafeEqual } from 'node:crypto'
import { E_ALREADY_CHECKED_IN, E_CHECK_IN_TOKEN_INVALID, E_NOT_CHECKABLE } from '../errors.js'
import { recordAudit, signingKey, tenantContext, withTenantDb } from '@oryne/sdk'

/*
 * A registration's check-in code (its QR code): `<registration id>.<HMAC>`,
 * the HMAC keyed by a secret derived from the app key and bound to the tenant,
 * so a code cannot be guessed from an id nor replayed at another school. It
 * needs no storage; checking in is a conditional update, so it happens once.
 */

function mac(registrationId: string) {
  const tenant = tenantContext.require()
  return createHmac('sha256', signingKey('events.check_in'))
    .update(`${tenant.id}:${registrationId}`)
    .digest('base64url')
}

export function checkInToken(registrationId: unknown) {
  return `${registrationId}.${mac(String(registrationId))}`
}

/** The registration id a code names, or ERR_EVENTS_CHECK_IN_TOKEN_INVALID. */
function verify(token: string): string {
  const match = /^(\d{1,18})\.([\w-]{43})$/.exec(token)
  if (!match) throw new E_CHECK_IN_TOKEN_INVALID()
  const expected = Buffer.from(mac(match[1]))
  const given = Buffer.from(match[2])
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new E_CHECK_IN_TOKEN_INVALID()
  return match[1]
}

/** Checks a registration in by its code, once; says why not otherwise. */
export async function checkIn(
  token: string,
  who: { userId: string | null; actor: string; requestId?: string }
) {
  const registrationId = verify(token)
  return withTenantDb(async (trx) => {
    const now = new Date()
    const [done] = await trx
      .from('events_registrations')
      .where({ id: registrationId, status: 'registered' })
      .whereNull('checked_in_at')
      .update({ checked_in_at: now, checked_in_by: who.userId, updated_at: now })
      .returning('*')
    if (!done) {
      const registration = await trx
        .from('events_registrations')
        .where('id', registrationId)
        .first()
      if (!registration) throw new E_CHECK_IN_TOKEN_INVALID()
      if (registration.checked_in_at)
        throw new E_ALREADY_CHECKED_IN([
          registrationId,
          new Date(registration.checked_in_at).toISOString(),
        ])
      throw new E_NOT_CHECKABLE([registrationId, registration.status])
    }
    await recordAudit(trx, {
      actor: who.actor,
      action: 'events.registrations.check_in',
      subject: `events.registrations:${registrationId}`,
      data: { event_id: String(done.event_id) },
      request_id: who.requestId,
    })
    return {
      id: String(done.id),
      event_id: String(done.event_id),
      user_id: done.user_id,
      checked_in_at: new Date(done.checked_in_at).toISOString(),
    }
  })
}
