import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

export type TransportSettings = {
  fee_due_days: number
  expiry_reminder_days: number
  reminder_roles: string[]
}

export const TRANSPORT_DEFAULTS: TransportSettings = {
  fee_due_days: 14,
  expiry_reminder_days: 30,
  reminder_roles: ['TenantAdmin', 'Staff'],
}

/** Transport settings a tenant admin can change (`oryne plugin settings transport --tenant <slug>`). */
export const transportSettingsDeclaration = defineSettings(
  vine.object({
    /** Days after generation that a term's transport invoice falls due, unless the run names `due_on`. */
    fee_due_days: vine.number().withoutDecimals().min(0).max(365),
    /** A vehicle's insurance or permit is reminded once when it expires within this many days. */
    expiry_reminder_days: vine.number().withoutDecimals().min(1).max(365),
    /** Roles whose users get the expiry reminders. */
    reminder_roles: vine
      .array(vine.string().trim().minLength(1).maxLength(60))
      .minLength(1)
      .maxLength(20),
  }),
  TRANSPORT_DEFAULTS
)

export function transportSettings(): Promise<TransportSettings> {
  return pluginSettings<TransportSettings>('transport')
}
