import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

export const ERP_DEFAULTS = { attendance_threshold: 75, attendance_window_days: 30 }

/** ERP settings a tenant admin can change (`oryne plugin settings erp --tenant <slug>`). */
export const erpSettingsDeclaration = defineSettings(
  vine.object({
    /** Attendance percentage under which `erp.attendance.below_threshold` is emitted. */
    attendance_threshold: vine.number().min(0).max(100),
    /** Days of attendance the threshold looks back over. */
    attendance_window_days: vine.number().withoutDecimals().min(1).max(366),
  }),
  ERP_DEFAULTS
)

/** The current tenant's ERP settings (defaults for what the tenant has not set). */
export function erpSettings() {
  return pluginSettings<typeof ERP_DEFAULTS>('erp')
}
