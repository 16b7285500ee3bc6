import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

export type HostelSettings = { fee_due_days: number }

export const HOSTEL_DEFAULTS: HostelSettings = { fee_due_days: 14 }

/** Hostel settings a tenant admin can change (`oryne plugin settings hostel --tenant <slug>`). */
export const hostelSettingsDeclaration = defineSettings(
  vine.object({
    /** Days after generation that a term's hostel invoice falls due, unless the run names `due_on`. */
    fee_due_days: vine.number().withoutDecimals().min(0).max(365),
  }),
  HOSTEL_DEFAULTS
)

export function hostelSettings(): Promise<HostelSettings> {
  return pluginSettings<HostelSettings>('hostel')
}
