import { defineSettings, pluginSettings, vine } from '@oryne/sdk'

export const ERP_DEFAULTS = {
  attendance_threshold: 75,
  attendance_window_days: 30,
  fee_reminder_days_before: 3,
  fee_reminder_overdue: true,
  fee_reminder_hour: 8,
}

/** ERP settings a tenant admin can change (`oryne plugin settings erp --tenant <slug>`). */
export const erpSettingsDeclaration = defineSettings(
  vine.object({
    /** Attendance percentage under which `erp.attendance.below_threshold` is emitted. */
    attendance_threshold: vine.number().min(0).max(100),
    /** Days of attendance the threshold looks back over. */
    attendance_window_days: vine.number().withoutDecimals().min(1).max(366),
    /** Fee reminders (jobs/fee_reminders.ts): invoices due within this many days (0: on the due date only). */
    fee_reminder_days_before: vine.number().withoutDecimals().min(0).max(60),
    /** Whether overdue invoices get a reminder every day until paid. */
    fee_reminder_overdue: vine.boolean(),
    /** The hour of the day (tenant time zone) from which the day's reminders go out. */
    fee_reminder_hour: vine.number().withoutDecimals().min(0).max(23),
  }),
  ERP_DEFAULTS
)

/** The current tenant's ERP settings (defaults for what the tenant has not set). */
export function erpSettings() {
  return pluginSettings<typeof ERP_DEFAULTS>('erp')
}
