import { DateTime } from 'luxon'
import { transportSettings } from '../settings.js'
import { defineJob, emitEvent, isoDate, notify, tenantToday, withTenantDb } from '@oryne/sdk'

/** Every morning (tenant-independent UTC time): a reminder is at most a day late. */
export const DOCUMENT_EXPIRY_CRON = '0 5 * * *'

const DOCUMENTS = [
  { column: 'insurance_expires_on', reminded: 'insurance_reminded_for', name: 'insurance' },
  { column: 'permit_expires_on', reminded: 'permit_reminded_for', name: 'permit' },
] as const

/**
 * Reminds the transport office (users of the `reminder_roles` setting) once
 * per vehicle document expiring within `expiry_reminder_days` (or expired),
 * and emits `transport.vehicle.document_expiring`. The reminded expiry date
 * is stored with the vehicle in the same transaction, and rows another sweep
 * holds are skipped, so overlapping runs never remind twice; a renewed
 * document (a new date) re-arms the reminder.
 */
export async function remindExpiringDocuments(today = tenantToday()) {
  const settings = await transportSettings()
  const horizon = DateTime.fromISO(today).plus({ days: settings.expiry_reminder_days }).toISODate()!
  return withTenantDb(async (trx) => {
    const recipients = await trx
      .from('user_roles as ur')
      .join('roles as r', 'r.id', 'ur.role_id')
      .join('users as u', 'u.id', 'ur.user_id')
      .whereIn('r.name', settings.reminder_roles)
      .whereNot('u.status', 'disabled')
      .distinct('u.id')
    const reminders: Array<{
      vehicle_id: string
      registration: string
      document: string
      expires_on: string
    }> = []
    for (const document of DOCUMENTS) {
      const due = await trx
        .from('transport_vehicles')
        .whereNot('status', 'retired')
        .whereNotNull(document.column)
        .where(document.column, '<=', horizon)
        .whereRaw(`${document.reminded} IS DISTINCT FROM ${document.column}`)
        .forUpdate()
        .skipLocked()
        .select('id', 'registration', document.column)
      for (const vehicle of due) {
        const expiresOn = isoDate(vehicle[document.column])
        await trx
          .from('transport_vehicles')
          .where('id', vehicle.id)
          .update({ [document.reminded]: vehicle[document.column] })
        const reminder = {
          vehicle_id: String(vehicle.id),
          registration: vehicle.registration,
          document: document.name,
          expires_on: expiresOn,
        }
        reminders.push(reminder)
        await emitEvent('transport.vehicle.document_expiring', reminder)
        if (recipients.length) {
          await notify({
            userIds: recipients.map((row) => row.id),
            template: 'transport.document_expiring',
            data: {
              registration: reminder.registration,
              document: reminder.document,
              expires_on: reminder.expires_on,
            },
            dedupKey: `${reminder.vehicle_id}:${reminder.document}:${reminder.expires_on}`,
          })
        }
      }
    }
    return { reminded: reminders.length, reminders }
  })
}

/** The repeatable job: one schedule per tenant, run in that tenant's context by the worker. */
export const documentExpiryJob = defineJob<Record<string, never>>({
  name: 'transport.document_expiry',
  queue: 'default',
  attempts: 3,
  backoff: 60_000,
  async handle(_data, context) {
    if (!context.tenantId) {
      throw new TypeError(
        'transport.document_expiry runs for one tenant; schedule it with tenantId'
      )
    }
    return remindExpiringDocuments()
  },
})
