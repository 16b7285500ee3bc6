import { DateTime } from 'luxon'
import {
  notify,
  tenantZone,
  withTenantDb,
  type NotificationTemplate,
  type OryneEvent,
} from '@oryne/sdk'

/** Templates the transport plugin sends through the notification service (tenants may override their text). */ import {
  fromErp,
  joinErp,
} from '../erp/index.js'

export const transportNotifications: Record<string, NotificationTemplate> = {
  student_boarded: {
    channels: ['push', 'in_app', 'sms'],
    subject: '{{student_name}} boarded the bus',
    body: '{{student_name}} boarded {{vehicle}} at {{stop}} at {{time}}.',
    description: 'A student boarded a trip (to the guardians)',
  },
  student_alighted: {
    channels: ['push', 'in_app', 'sms'],
    subject: '{{student_name}} got off the bus',
    body: '{{student_name}} got off {{vehicle}} at {{stop}} at {{time}}.',
    description: 'A student alighted from a trip (to the guardians)',
  },
  document_expiring: {
    channels: ['email', 'in_app'],
    subject: 'Vehicle {{registration}}: {{document}} expires {{expires_on}}',
    body: 'The {{document}} of vehicle {{registration}} expires on {{expires_on}}. Renew it before then.',
    description: "A vehicle's insurance or permit expires soon (to the transport office)",
  },
}

type MarkEvent = { trip_id: string; student_id: string; stop_id: string; at: string }

/** Tells the student's guardians who have an account where and when the student boarded or alighted. */
async function notifyGuardians(event: OryneEvent, template: string, verb: string) {
  const payload = event.payload as MarkEvent
  const rows = await withTenantDb((trx) =>
    joinErp(fromErp(trx, 'guardians', 'g'), 'students', 's', 'g.student_id')
      .where('g.student_id', payload.student_id)
      .whereNotNull('g.user_id')
      .select('g.user_id', 's.first_name', 's.last_name')
  )
  if (!rows.length) return
  // One transaction runs one query at a time: these two go in turn.
  const [vehicle, stop] = await withTenantDb(async (trx) => [
    await trx
      .from('transport_trips as t')
      .join('transport_vehicles as v', 'v.id', 't.vehicle_id')
      .where('t.id', payload.trip_id)
      .select('v.registration')
      .first(),
    await trx.from('transport_stops').where('id', payload.stop_id).select('name').first(),
  ])
  await notify({
    userIds: rows.map((row) => row.user_id),
    template,
    data: {
      student_name: `${rows[0].first_name} ${rows[0].last_name}`,
      vehicle: vehicle?.registration ?? 'the bus',
      stop: stop?.name ?? 'a stop',
      time: DateTime.fromISO(payload.at).setZone(tenantZone()).toFormat('HH:mm'),
    },
    priority: 'high',
    dedupKey: `${payload.trip_id}:${payload.student_id}:${verb}`,
  })
}

export function notifyBoarded(event: OryneEvent) {
  return notifyGuardians(event, 'transport.student_boarded', 'boarded')
}

export function notifyAlighted(event: OryneEvent) {
  return notifyGuardians(event, 'transport.student_alighted', 'alighted')
}
