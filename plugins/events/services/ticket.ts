import { E_EVENT_NOT_FOUND } from '../errors.js'
import { present, type Registrant } from './registrations.js'
import { readTenantDb } from '@oryne/sdk'

/** A registration with its check-in code, for its holder (or staff who manage registrations). */
export async function ticket(registrationId: string, who: Registrant) {
  const registration = await readTenantDb((client, table) =>
    client.from(table('events_registrations')).where('id', registrationId).first()
  )
  if (!registration || (!who.privileged && registration.user_id !== who.userId))
    throw new E_EVENT_NOT_FOUND(['Registration', registrationId])
  return present(registration)
}
